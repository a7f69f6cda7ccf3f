/**
 * Failover hooks end to end: both placeholder styles render the hosts, steps
 * run in order around the start; a failing required before_failover step
 * aborts the failover, an optional one does not.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { DemoEnv } from '../helpers/demo-env.js';
import { readJournal } from './helpers/pass.js';
import { actionList, createDemoEnvIn, failOverToStandby, HOST_A, HOST_B } from './helpers/scenario.js';

const envs: DemoEnv[] = [];

/** A demo env with these hook lines (`@DIR@` = its temp dir). */
async function envWithHooks(...hooks: string[]): Promise<DemoEnv> {
  const env = await createDemoEnvIn(['backoff_initial = 100ms', 'backoff_max = 100ms', ...hooks]);
  envs.push(env);
  return env;
}

describe('failover hooks', { concurrency: true }, () => {
  after(() => Promise.all(envs.map((env) => env.cleanup())));

  test('{process} {from_host} {to_host} and %SLAVE% %MASTER%: exact lines, in order', async () => {
    const env = await envWithHooks(
      'before_failover.1 = echo {process} {from_host} {to_host} >> @DIR@/hooks.log',
      'before_failover.2 = echo before step 2 >> @DIR@/hooks.log',
      'after_failover = echo %SLAVE% %MASTER% >> @DIR@/hooks.log',
    );
    const failover = await failOverToStandby(env, { keepBroken: true });
    assert.equal(failover.code, 0, failover.stderr);
    assert.deepEqual(actionList(failover), [`start ${HOST_A} false`, `start ${HOST_B} true`]);
    assert.equal(
      await readFile(path.join(env.dir, 'hooks.log'), 'utf8'),
      `Svc ${HOST_A} ${HOST_B}\nbefore step 2\n${HOST_A} ${HOST_B}\n`,
    );
    const hooks = (await readJournal(env)).filter((e) => e.event === 'hook');
    assert.deepEqual(
      hooks.map((e) => `${String(e.reason)} ${String(e.ok)}`),
      ['beforeFailover: ok true', 'beforeFailover: ok true', 'afterFailover: ok true'],
    );
  });

  test('a failing before_failover step aborts the failover: no start on the stand-by', async () => {
    const env = await envWithHooks('before_failover = false', 'after_failover = touch @DIR@/after-ran');
    const failover = await failOverToStandby(env, { keepBroken: true });
    assert.equal(failover.code, 1, failover.stderr);
    // No on_failed steps are configured, so entering 'failed' plans no hook.
    assert.deepEqual(actionList(failover), [`start ${HOST_A} false`, `start ${HOST_B} false`]);
    assert.equal(await env.isUp(HOST_B), false, 'nothing started on the stand-by');
    assert.equal(await env.isUp(HOST_A), false);
    await assert.rejects(readFile(path.join(env.dir, 'after-ran')), 'after_failover did not run');
    const journal = await readJournal(env);
    const hook = journal.find((e) => e.event === 'hook');
    assert.equal(hook?.ok, false);
    assert.equal(hook?.command, 'false');
    const start = journal.filter((e) => e.event === 'start' && e.host === HOST_B);
    assert.equal(start.length, 1);
    assert.equal(start[0]!.ok, false);
    assert.match(String(start[0]!.reason), /failover aborted: beforeFailover step 1 failed/);
  });

  test('an optional failing before_failover step does not stop the failover', async () => {
    const env = await envWithHooks('before_failover = optional: false');
    const failover = await failOverToStandby(env, { keepBroken: true });
    assert.equal(failover.code, 0, failover.stderr);
    assert.deepEqual(actionList(failover), [`start ${HOST_A} false`, `start ${HOST_B} true`]);
    assert.equal(await env.isUp(HOST_B), true);
    const hook = (await readJournal(env)).find((e) => e.event === 'hook');
    assert.equal(hook?.ok, false, 'the failed optional step is journaled');
  });
});
