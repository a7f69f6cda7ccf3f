/**
 * Flap damping end to end: an instance that dies right after every start makes
 * the watcher give up after max_restarts starts within restart_window; the
 * on_given_up hook fires, status says given-up, and a reset request revives it.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoEnv, DEMO_SERVICE, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { putRequest } from '../../src/state/request-queue.js';
import { readJournal, runPass, stateLayout } from './helpers/pass.js';
import { startWatcher } from './helpers/watcher-process.js';
import { sleep, waitFor } from './helpers/wait.js';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv({
    // While the file `flap` exists, every instance is killed 0.3 s after its start.
    start: (dir) =>
      `HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} start {host} {port} && ` +
      `if [ -e ${dir}/flap ]; then (sleep 0.3; kill $(cat ${dir}/service-{host}-{port}.pid)) >/dev/null 2>&1 & fi`,
    extra: [
      'max_restarts = 3',
      'restart_window = 1m',
      'min_uptime = 5s',
      'backoff_initial = 200ms',
      'backoff_max = 400ms',
      'given_up_retry = never',
      `on_given_up = echo {process} gave up: {reason} >> ${'GIVEN_UP_FILE'}`,
    ],
  });
  const config = await readFile(env.configPath, 'utf8');
  await writeFile(env.configPath, config.replace('GIVEN_UP_FILE', path.join(env.dir, 'given-up')));
  await writeFile(path.join(env.dir, 'flap'), '');
});
after(() => env.cleanup());

test('a flapping service reaches given-up, fires on_given_up; reset revives it', async () => {
  const marker = path.join(env.dir, 'given-up');
  const watcher = startWatcher(env.configPath, ['--interval', '0.2']);
  try {
    const text = await waitFor('the on_given_up marker', () => readFile(marker, 'utf8').catch(() => ''), {
      timeoutMs: 30_000,
    });
    assert.match(text, /^Svc gave up: gave up: 3 starts within 60 s \(max_restarts 3\)\n$/);
    await watcher.waitForLog(/GIVEN-UP/);
    assert.match(watcher.log(), /hook onGivenUp step 1 of Svc ok/);
    // No more starts once given up: let a few more cycles run, then count.
    await sleep(1000);
    const starts = (await readJournal(env)).filter((e) => e.event === 'start').length;
    assert.equal(starts, 3, 'exactly max_restarts starts');
    const status = await runCliProcess(['-c', env.configPath, 'status', '--json', '--no-probe']);
    const report = JSON.parse(status.stdout) as {
      processes: Array<{ state: string; flags: { givenUpAt: number | null } }>;
    };
    assert.equal(report.processes[0]!.state, 'given-up', status.stdout);
    assert.notEqual(report.processes[0]!.flags.givenUpAt, null);
  } finally {
    const exit = await watcher.stop();
    assert.equal(exit.code, 0, watcher.log());
  }
  const stillGivenUp = await runPass(env);
  assert.equal(stillGivenUp.svc?.status, 'given-up', stillGivenUp.stdout);
  assert.deepEqual(stillGivenUp.svc?.actions, []);

  await rm(path.join(env.dir, 'flap'));
  const layout = await stateLayout(env);
  await putRequest(layout.dir, 'Svc', { type: 'reset', host: null, by: 'test@localhost', at: Date.now() });
  const revived = await runPass(env);
  assert.equal(revived.code, 0, revived.stderr);
  assert.equal(revived.svc?.status, 'up', revived.stdout);
  assert.equal(await env.isUp(revived.svc!.activeHost!), true);
  const journal = await readJournal(env);
  assert.ok(journal.some((e) => e.event === 'operator' && e.reason === 'reset' && e.by === 'test@localhost'));
});
