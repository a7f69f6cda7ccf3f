/**
 * A config reload (SIGHUP) while a job runs: the reload does not wait for the
 * run (supervision never pauses behind a long job), the run finishes and is
 * recorded, and the reloaded watcher does not start a second run beside it.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { runCliProcess } from '../helpers/run-cli.js';
import { writeJobConfig } from './helpers/job-world.js';
import { startWatcher, type WatcherProcess } from '../watch/helpers/watcher-process.js';
import { waitFor } from '../watch/helpers/wait.js';

let dir: string;
let configPath: string;
let watcher: WatcherProcess;

before(async () => {
  ({ dir, configPath } = await writeJobConfig('ha-valet-job-reload-', (dir) => [
    '[Long]',
    'every = 1s',
    'host = 127.0.0.2',
    `run = mkdir ${dir}/lock || exit 9; echo start >> ${dir}/log; sleep 4; echo end >> ${dir}/log; rmdir ${dir}/lock`,
  ]));
  watcher = startWatcher(configPath, ['--interval', '0.5']);
});

after(async () => {
  await watcher?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('SIGHUP during a run: reloaded at once, the run completes, no second run beside it', async () => {
  await waitFor(
    'a run in progress',
    async () => (await readFile(`${dir}/log`, 'utf8').catch(() => '')) === 'start\n',
  );
  const from = watcher.log().length;
  const sent = Date.now();
  watcher.signal('SIGHUP');
  await watcher.waitForLog(/config reloaded/, { from, timeoutMs: 20_000 });
  const reloadMs = Date.now() - sent;
  // The run takes 4 s; a reload that waited for it would take about that long.
  assert.ok(reloadMs < 3000, `reload took ${reloadMs} ms`);
  await waitFor('the run to end and the next to start', async () => {
    const log = await readFile(`${dir}/log`, 'utf8');
    return log.startsWith('start\nend\nstart\n');
  });
  const history = await runCliProcess(['-c', configPath, 'history', '-p', 'Long', '--json']);
  const runs = (JSON.parse(history.stdout) as Array<{ event: string; ok?: boolean }>).filter(
    (e) => e.event === 'job',
  );
  assert.ok(runs.length >= 1, history.stdout);
  // A run beside the first would have found the lock and failed with exit 9.
  assert.ok(
    runs.every((e) => e.ok === true),
    history.stdout,
  );
});
