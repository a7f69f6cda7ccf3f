/**
 * Latch (deadpool): after one failover the process stops acting — a second
 * failure is left alone, status says latched — until a reset.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { readJournal, runPass } from './helpers/pass.js';
import { actionList, failOverToStandby, HOST_A, HOST_B, requestReset } from './helpers/scenario.js';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv({ extra: ['latch = yes', 'backoff_initial = 100ms', 'backoff_max = 100ms'] });
});
after(() => env.cleanup());

test('latch: one failover, then a second failure is not acted upon until reset', async () => {
  const failover = await failOverToStandby(env);
  assert.deepEqual(actionList(failover), [`start ${HOST_A} false`, `start ${HOST_B} true`]);
  assert.equal(failover.svc?.status, 'latched', failover.stdout);
  assert.equal(await env.isUp(HOST_B), true);

  process.kill((await env.pidOf(HOST_B))!, 'SIGKILL');
  for (let i = 0; i < 2; i += 1) {
    const latched = await runPass(env);
    assert.equal(latched.code, 1, latched.stderr);
    assert.equal(latched.svc?.status, 'latched');
    assert.match(latched.svc!.summary, /latched after failover to 127\.0\.0\.3: not acting until reset/);
    assert.deepEqual(latched.svc?.actions, []);
  }
  assert.equal(await env.isUp(HOST_A), false);
  assert.equal(await env.isUp(HOST_B), false);

  await requestReset(env);
  const revived = await runPass(env);
  // The start a reset leads to is a fresh start, not a failover: it does not re-arm the latch at once.
  assert.deepEqual(actionList(revived), [`start ${HOST_A} true`]);
  assert.equal(await env.isUp(HOST_A), true);
  assert.equal(revived.svc?.status, 'up', revived.stdout);
  assert.equal(revived.code, 0);

  // The latch is armed again: the next failover (A dies and cannot start) latches.
  const again = await failOverToStandby(env, { skipFirstPass: true });
  assert.equal(again.svc?.status, 'latched', again.stdout);
  assert.ok((await readJournal(env)).some((e) => e.event === 'operator' && e.reason === 'reset'));
});
