/**
 * SIGTERM while the watcher is in the middle of a start: it finishes that
 * action, exits 0, releases the lock (a pass right after is not refused) and
 * leaves the service running.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoEnv, DEMO_SERVICE, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { runPass } from './helpers/pass.js';
import { HOST_A } from './helpers/scenario.js';
import { startWatcher } from './helpers/watcher-process.js';
import { waitFor } from './helpers/wait.js';

let env: DemoEnv;
before(async () => {
  // The start announces itself, then takes 1 s: long enough to signal mid-action.
  env = await createDemoEnv({
    start: (dir) =>
      `touch ${dir}/starting-{host}; sleep 1; HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} start {host} {port}`,
  });
});
after(() => env.cleanup());

test('SIGTERM mid-start: the start completes, exit 0, lock released, service left running', async () => {
  const watcher = startWatcher(env.configPath, ['--interval', '0.2']);
  try {
    await waitFor('the start to begin', () =>
      access(path.join(env.dir, `starting-${HOST_A}`)).then(
        () => true,
        () => false,
      ),
    );
    watcher.signal('SIGTERM');
    const exit = await watcher.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, watcher.log());
  } finally {
    watcher.signal('SIGKILL');
  }
  assert.match(watcher.log(), /SIGTERM: finishing the actions in progress, then stopping/);
  assert.match(watcher.log(), /start Svc@127\.0\.0\.2 .*exitCode=0/, 'the start ran to completion');
  const pid = (await env.pidOf(HOST_A))!;
  assert.equal(isAlive(pid), true, 'the service outlives the watcher');
  assert.equal(await env.isUp(HOST_A), true);

  const pass = await runPass(env);
  assert.equal(pass.code, 0, `not refused by a stale lock: ${pass.stderr}`);
  assert.equal(pass.svc?.summary, `Svc: up on ${HOST_A} (priority 1)`);
  assert.deepEqual(pass.svc?.actions, []);
});
