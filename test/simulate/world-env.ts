/**
 * A demo world for comparing `simulate` with a real pass: the demo service on
 * two loopback hosts, where a file `unreachable-HOST` makes HOST's test exit
 * 255 and `broken-HOST` makes a start on HOST fail.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { runPass, type PassReport } from '../watch/helpers/pass.js';

const DEMO_TEST = `bash -c 'exec 3<>/dev/tcp/{host}/{port} && read -t 5 reply <&3 && [ "$reply" = "ok {host}" ]' 2>/dev/null && exit {rank}; exit 0`;

/** A demo env whose hosts can be made unreachable; `extra` lines go into [Svc]. */
export async function createWorldEnv(extra: string[] = [], defaults: string[] = []): Promise<DemoEnv> {
  const env = await createDemoEnv({
    extra,
    defaults,
    test: `[ -e @DIR@/unreachable-{host} ] && exit 255; ${DEMO_TEST}`,
  });
  const text = await readFile(env.configPath, 'utf8');
  await writeFile(env.configPath, text.replaceAll('@DIR@', env.dir));
  return env;
}

/** Makes HOST's test exit 255 (as a dead machine over SSH would). */
export async function makeUnreachable(env: DemoEnv, host: string): Promise<void> {
  await writeFile(path.join(env.dir, `unreachable-${host}`), '');
}

/** Makes a start on HOST fail (exit 1). */
export async function breakHost(env: DemoEnv, host: string): Promise<void> {
  await writeFile(path.join(env.dir, `broken-${host}`), '');
}

/** The fields of one process of one simulated pass that the tests compare. */
export interface SimulatedSvc {
  status: string;
  activeHost: string | null;
  summary: string;
  actions: Array<{ type: string; host: string | null; hook?: string; ok: boolean }>;
  commands: Array<{ host: string; role: string; command: string }>;
}

/** Runs `ha-valet simulate --json ARGS...` on the env's config; returns every pass's Svc. */
export async function simulate(env: DemoEnv, ...args: string[]): Promise<SimulatedSvc[]> {
  const result = await runCliProcess(['-c', env.configPath, 'simulate', '--json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { passes: Array<{ processes: SimulatedSvc[] }> };
  return json.passes.map((p) => p.processes[0]!);
}

/** Numbers of seconds vary between two passes a moment apart. */
function normalize(summary: string): string {
  return summary.replace(/\d+ s\b/g, 'N s');
}

/** The comparable part of a pass or simulated pass. */
function comparable(svc: Pick<SimulatedSvc, 'status' | 'activeHost' | 'summary' | 'actions'>) {
  return {
    status: svc.status,
    activeHost: svc.activeHost,
    summary: normalize(svc.summary),
    actions: svc.actions.map((a) => `${a.type} ${a.type === 'hook' ? a.hook : a.host} ${a.ok}`),
  };
}

/**
 * Simulates one pass from the stored state in the world `flags` describe, then
 * runs the real pass in that real world, and asserts both did the same.
 */
export async function assertSimulationMatchesPass(env: DemoEnv, flags: string[]): Promise<PassReport> {
  const [simulated] = await simulate(env, '--from-state', '--passes', '1', ...flags);
  const pass = await runPass(env);
  assert.ok(pass.svc, pass.stdout + pass.stderr);
  assert.deepEqual(comparable(simulated!), comparable(pass.svc), `simulate ${flags.join(' ')}`);
  return pass;
}
