/**
 * `with = PROCESS`: the job runs on the host where that process is active (the
 * demo service, real commands), follows it after a failover, and is not run at
 * all while the process runs nowhere.
 */
import assert from 'node:assert/strict';
import { appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { runPass } from '../watch/helpers/pass.js';
import { failOverToStandby, HOST_A, HOST_B } from '../watch/helpers/scenario.js';

let env: DemoEnv;

before(async () => {
  env = await createDemoEnv({ extra: ['backoff_initial = 100ms', 'backoff_max = 100ms'] });
  await appendFile(
    env.configPath,
    ['[Backup]', 'every = 1h', 'with = Svc', 'run = echo backup on {host}', ''].join('\n'),
  );
});
after(() => env.cleanup());

/** `run-job Backup --json`. */
async function runBackup(): Promise<{ code: number | null; host: string | null; reason: string }> {
  const result = await runCliProcess(['-c', env.configPath, 'run-job', 'Backup', '--json']);
  const run = JSON.parse(result.stdout) as { host: string | null; reason: string };
  return { code: result.code, host: run.host, reason: run.reason };
}

test('not run while the process runs nowhere', async () => {
  const run = await runBackup();
  assert.equal(run.code, 1);
  assert.equal(run.host, null);
  assert.equal(run.reason, 'not run: Svc is not active on any host of this job');
});

test('runs where the process is active, and follows it after a failover', async () => {
  const first = await runPass(env);
  assert.equal(first.svc?.activeHost, HOST_A, first.stderr);
  assert.deepEqual(await runBackup(), { code: 0, host: HOST_A, reason: `ok on ${HOST_A}` });
  await failOverToStandby(env, { skipFirstPass: true });
  await rm(path.join(env.dir, `broken-${HOST_A}`), { force: true });
  assert.deepEqual(await runBackup(), { code: 0, host: HOST_B, reason: `ok on ${HOST_B}` });
});
