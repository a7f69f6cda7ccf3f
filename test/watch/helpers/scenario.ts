/** Scenario steps the watch tests share. */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDemoEnv, type DemoEnv } from '../../helpers/demo-env.js';
import { putRequest } from '../../../src/state/request-queue.js';
import { runPass, stateLayout, type PassReport } from './pass.js';
import { sleep } from './wait.js';

export const [HOST_A, HOST_B] = ['127.0.0.2', '127.0.0.3'] as const;

/**
 * Up on A (one pass), then A dies and cannot start (broken): one pass fails
 * over to B. Unless `keepBroken`, A is repaired afterwards and its back-off
 * (configured short) left to pass. Returns the failover pass.
 */
export async function failOverToStandby(
  env: DemoEnv,
  { keepBroken = false, skipFirstPass = false } = {},
): Promise<PassReport> {
  if (!skipFirstPass) {
    const first = await runPass(env);
    assert.equal(first.svc?.activeHost, HOST_A, first.stdout + first.stderr);
  }
  const broken = path.join(env.dir, `broken-${HOST_A}`);
  await writeFile(broken, '');
  process.kill((await env.pidOf(HOST_A))!, 'SIGKILL');
  const failover = await runPass(env);
  if (!keepBroken) {
    await rm(broken);
    await sleep(300);
  }
  return failover;
}

/** The actions of a pass as 'type host ok' strings ('hook NAME ok' for a hook list). */
export function actionList(pass: PassReport): string[] {
  return (pass.svc?.actions ?? []).map((a) => `${a.type} ${a.type === 'hook' ? a.hook : a.host} ${a.ok}`);
}

/** Leaves a reset request for the next pass (what `ha-valet reset` does when no watcher runs). */
export async function requestReset(env: DemoEnv): Promise<void> {
  const layout = await stateLayout(env);
  await putRequest(layout.dir, 'Svc', { type: 'reset', host: null, by: 'test@localhost', at: Date.now() });
}

/** A demo env whose extra config lines may say `@DIR@` for the env's temp dir. */
export async function createDemoEnvIn(extra: string[]): Promise<DemoEnv> {
  const env = await createDemoEnv({ extra });
  const text = await readFile(env.configPath, 'utf8');
  await writeFile(env.configPath, text.replaceAll('@DIR@', env.dir));
  return env;
}
