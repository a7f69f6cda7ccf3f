/**
 * Failback: off (the default), a service that failed over stays on the
 * stand-by after the preferred host recovers; on, it moves back (start on the
 * preferred host, verify, stop the stand-by).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { readJournal, runPass } from './helpers/pass.js';
import { startWatcher } from './helpers/watcher-process.js';
import { waitFor } from './helpers/wait.js';
import { actionList, failOverToStandby, HOST_A, HOST_B } from './helpers/scenario.js';

const [A, B] = [HOST_A, HOST_B];

describe('failback', () => {
  let off: DemoEnv;
  let on: DemoEnv;
  before(async () => {
    const common = ['backoff_initial = 100ms', 'backoff_max = 100ms', 'failback_delay = 0s'];
    off = await createDemoEnv({ extra: [...common, 'failback = no'] });
    on = await createDemoEnv({
      extra: ['backoff_initial = 100ms', 'backoff_max = 100ms', 'failback = yes', 'failback_delay = 1s'],
    });
  });
  after(async () => {
    await off.cleanup();
    await on.cleanup();
  });

  test('off: the service stays on the stand-by across passes after the preferred host is back', async () => {
    assert.deepEqual(actionList(await failOverToStandby(off)), [`start ${A} false`, `start ${B} true`]);
    for (let i = 0; i < 3; i += 1) {
      const pass = await runPass(off);
      assert.equal(pass.code, 0, pass.stderr);
      assert.equal(pass.svc?.summary, `Svc: up on ${B} (priority 2)`);
      assert.deepEqual(pass.svc?.actions, []);
    }
    assert.equal(await off.isUp(A), false);
    assert.equal(await off.isUp(B), true);
  });

  test('on (failback_delay 1s): the watcher moves it back to the preferred host and stops the stand-by', async () => {
    assert.deepEqual(actionList(await failOverToStandby(on)), [`start ${A} false`, `start ${B} true`]);
    const watcher = startWatcher(on.configPath, ['--interval', '0.3']);
    try {
      await waitFor('the service up on A only', async () => (await on.isUp(A)) && !(await on.isUp(B)), {
        timeoutMs: 20_000,
      });
      await watcher.waitForLog(/moved from 127\.0\.0\.3 to 127\.0\.0\.2 \(failback to preferred/);
    } finally {
      assert.equal((await watcher.stop()).code, 0, watcher.log());
    }
    const switchover = (await readJournal(on)).filter((e) => e.event === 'switchover');
    assert.equal(switchover.length, 1, JSON.stringify(switchover));
    assert.equal(switchover[0]!.host, A);
    assert.equal(switchover[0]!.ok, true);
    const pass = await runPass(on);
    assert.equal(pass.svc?.summary, `Svc: up on ${A} (priority 1)`);
  });
});
