/**
 * `simulate` answers what a real pass does: for each rule of decide, a real
 * world (demo services on two loopback hosts, real commands) is set up, then
 * `simulate --from-state` describes it and predicts one pass, and the real pass
 * runs: status, active host, sentence and actions must agree.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import type { DemoEnv } from '../helpers/demo-env.js';
import { putRequest } from '../../src/state/request-queue.js';
import { readJournal, runPass, stateLayout } from '../watch/helpers/pass.js';
import { sleep } from '../watch/helpers/wait.js';
import { actionList, HOST_A as A, HOST_B as B } from '../watch/helpers/scenario.js';
import {
  assertSimulationMatchesPass,
  breakHost,
  createWorldEnv,
  makeUnreachable,
  simulate,
} from './world-env.js';

let env: DemoEnv | null = null;
afterEach(async () => {
  await env?.cleanup();
  env = null;
});

/** A new env for one test, cleaned up after it. */
async function world(extra: string[] = []): Promise<DemoEnv> {
  env = await createWorldEnv(extra, ['backoff_initial = 100ms', 'backoff_max = 100ms']);
  return env;
}

/** Kills the demo server on `host` (a crash). */
async function crash(env: DemoEnv, host: string): Promise<void> {
  process.kill((await env.pidOf(host))!, 'SIGKILL');
  await sleep(200);
}

/** One real pass that must leave the service up on `host`. */
async function upOn(env: DemoEnv, host: string): Promise<void> {
  const pass = await runPass(env);
  assert.equal(pass.svc?.activeHost, host, pass.stdout + pass.stderr);
}

describe('simulate matches a real pass', () => {
  test('nothing up: start on the most preferred host', async () => {
    const env = await world();
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.deepEqual(actionList(pass), [`start ${A} true`]);
  });

  test('preferred host unreachable: start on the next', async () => {
    const env = await world();
    await makeUnreachable(env, A);
    const pass = await assertSimulationMatchesPass(env, ['--unreachable', A, '--down', B]);
    assert.deepEqual(actionList(pass), [`start ${B} true`]);
  });

  test('a failing start: the next host is tried in the same pass', async () => {
    const env = await world();
    await breakHost(env, A);
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B, '--start-fails', A]);
    assert.deepEqual(actionList(pass), [`start ${A} false`, `start ${B} true`]);
  });

  test('one up: nothing to do', async () => {
    const env = await world();
    await upOn(env, A);
    const pass = await assertSimulationMatchesPass(env, ['--up', `${A}=1`, '--down', B]);
    assert.deepEqual(actionList(pass), []);
  });

  test('split brain: the extra instance is stopped', async () => {
    const env = await world();
    await upOn(env, A);
    assert.equal(env.service('start', B), 0);
    const pass = await assertSimulationMatchesPass(env, ['--up', `${A}=1`, '--up', `${B}=2`]);
    assert.deepEqual(actionList(pass), [`stop ${B} true`]);
  });

  test('failback: back to the preferred host once it is healthy', async () => {
    const env = await world(['failback = yes', 'failback_delay = 0s']);
    await makeUnreachable(env, A);
    await upOn(env, B);
    await rm(path.join(env.dir, `unreachable-${A}`));
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--up', `${B}=2`]);
    assert.deepEqual(actionList(pass), [`switchover ${A} true`]);
  });

  test('failover with hooks: before_failover and after_failover run around the start', async () => {
    const env = await world(['before_failover = echo before {process}', 'after_failover = true']);
    await upOn(env, A);
    await breakHost(env, A);
    await crash(env, A);
    const [simulated] = await simulate(
      env,
      '--from-state',
      '--passes',
      '1',
      '--down',
      A,
      '--down',
      B,
      '--start-fails',
      A,
    );
    const hooks = simulated!.commands.filter((c) => c.role === 'local').map((c) => c.command);
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B, '--start-fails', A]);
    assert.deepEqual(actionList(pass), [`start ${A} false`, `start ${B} true`]);
    const journaled = (await readJournal(env)).filter((e) => e.event === 'hook').map((e) => e.command);
    assert.deepEqual(hooks, journaled);
    assert.deepEqual(hooks, ["echo before 'Svc'", 'true']);
  });

  test('fencing: the unreachable active host is fenced before the failover', async () => {
    const env = await world(['fence = echo fence {host}']);
    await upOn(env, A);
    await makeUnreachable(env, A);
    const [simulated] = await simulate(env, '--from-state', '--passes', '1', '--unreachable', A, '--down', B);
    const pass = await assertSimulationMatchesPass(env, ['--unreachable', A, '--down', B]);
    assert.deepEqual(actionList(pass), [`fence ${A} true`, `start ${B} true`]);
    const here = simulated!.commands.filter((c) => c.role === 'local').map((c) => c.command);
    assert.deepEqual(here, [`echo fence ${A}`]);
  });

  test('a failed fence: no failover from the unconfirmed host, unsafe', async () => {
    const env = await world(['fence = echo fence {host}; exit 1']);
    await upOn(env, A);
    await makeUnreachable(env, A);
    const flags = ['--unreachable', A, '--down', B, '--fence-fails', A];
    const [simulated] = await simulate(env, '--from-state', '--passes', '1', ...flags);
    const pass = await assertSimulationMatchesPass(env, flags);
    assert.equal(pass.svc?.status, 'unsafe');
    assert.match(pass.svc!.summary, /not safely recoverable: .* its fence failed \(fence failed, exit 1/);
    assert.deepEqual(actionList(pass), [`fence ${A} false`]);
    const here = simulated!.commands.filter((c) => c.role === 'local').map((c) => c.command);
    assert.deepEqual(here, [`echo fence ${A}; exit 1`]);
    assert.equal(await env.pidOf(B), null, 'no instance was started on the other host');
  });

  test('a failing before_failover aborts the failover: failed', async () => {
    const env = await world(['before_failover = echo before {process}; exit 1', 'after_failover = true']);
    await upOn(env, A);
    await makeUnreachable(env, A);
    const flags = ['--unreachable', A, '--down', B, '--hook-fails', 'before_failover'];
    const [simulated] = await simulate(env, '--from-state', '--passes', '1', ...flags);
    const pass = await assertSimulationMatchesPass(env, flags);
    assert.equal(pass.svc?.status, 'failed');
    assert.match(pass.svc!.summary, /failover aborted: beforeFailover step 1 failed \(exit 1\)/);
    assert.deepEqual(actionList(pass), [`start ${B} false`]);
    const hooks = simulated!.commands.filter((c) => c.role === 'local').map((c) => c.command);
    const journaled = (await readJournal(env)).filter((e) => e.event === 'hook').map((e) => e.command);
    assert.deepEqual(hooks, journaled);
    assert.deepEqual(hooks, ["echo before 'Svc'; exit 1"]);
    assert.equal(await env.pidOf(B), null, 'no instance was started on the other host');
  });

  test('no host can start it: failed, and on_failed runs', async () => {
    const env = await world(['on_failed = true']);
    await breakHost(env, A);
    await breakHost(env, B);
    const flags = ['--down', A, '--down', B, '--start-fails', A, '--start-fails', B];
    const pass = await assertSimulationMatchesPass(env, flags);
    assert.equal(pass.svc?.status, 'failed');
    assert.deepEqual(actionList(pass), [`start ${A} false`, `start ${B} false`, 'hook onFailed true']);
  });

  test('back-off: hosts whose starts just failed are not retried yet', async () => {
    const env = await world(['backoff_initial = 60s', 'backoff_max = 60s']);
    await breakHost(env, A);
    await breakHost(env, B);
    await runPass(env);
    await rm(path.join(env.dir, `broken-${A}`));
    await rm(path.join(env.dir, `broken-${B}`));
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(pass.svc?.status, 'waiting');
    assert.deepEqual(actionList(pass), []);
  });

  test('check_count: the active host must fail that many checks in a row', async () => {
    const env = await world(['check_count = 2']);
    await upOn(env, A);
    await crash(env, A);
    const first = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(first.svc?.status, 'waiting');
    const second = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.deepEqual(actionList(second), [`start ${A} true`]);
  });

  test('priority wait: a watcher of priority 2 leaves time to a preferred one', async () => {
    const env = await world(['priority = 2', 'priority_wait = 60s']);
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(pass.svc?.status, 'waiting');
    assert.match(pass.svc!.summary, /priority 2 waits/);
  });

  test('flap damping: too many starts within the window gives up', async () => {
    const env = await world(['max_restarts = 1', 'restart_window = 10m', 'on_given_up = true']);
    await upOn(env, A);
    await crash(env, A);
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(pass.svc?.status, 'given-up');
    assert.deepEqual(actionList(pass), ['hook onGivenUp true']);
    const again = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(again.svc?.status, 'given-up');
  });

  test('latched: after one failover a second failure is left alone', async () => {
    const env = await world(['latch = yes']);
    await upOn(env, A);
    await breakHost(env, A);
    await crash(env, A);
    const failover = await assertSimulationMatchesPass(env, ['--down', A, '--down', B, '--start-fails', A]);
    assert.equal(failover.svc?.status, 'latched');
    await crash(env, B);
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(pass.svc?.status, 'latched');
    assert.deepEqual(actionList(pass), []);
  });

  test('maintenance: probe only, never act', async () => {
    const env = await world();
    await upOn(env, A);
    const layout = await stateLayout(env);
    await putRequest(layout.dir, 'Svc', { type: 'maintenance-on', host: null, by: 'test@x', at: Date.now() });
    await runPass(env);
    await crash(env, A);
    const pass = await assertSimulationMatchesPass(env, ['--down', A, '--down', B]);
    assert.equal(pass.svc?.status, 'maintenance');
    assert.deepEqual(actionList(pass), []);
  });
});
