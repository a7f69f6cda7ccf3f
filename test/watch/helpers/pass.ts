/** One-shot passes and state-dir access for the watch tests. */
import { readFile } from 'node:fs/promises';
import type { DemoEnv } from '../../helpers/demo-env.js';
import { runCliProcess, type CliResult } from '../../helpers/run-cli.js';
import { openStateLayout, type StateLayout } from '../../../src/state/state-dir.js';

/** The fields of a `--json` pass report the tests read. */
export interface PassProcess {
  name: string;
  status: string;
  activeHost: string | null;
  summary: string;
  actions: Array<{ type: string; host: string | null; hook?: string; ok: boolean }>;
}

export interface PassReport extends CliResult {
  json: { exitCode: number; processes: PassProcess[] } | null;
  /** The one process of a demo env's config. */
  svc: PassProcess | null;
}

/** Runs `ha-valet -c CONFIG --json ARGS...`; json is null when stdout is not JSON. */
export async function runPass(env: DemoEnv, ...args: string[]): Promise<PassReport> {
  const result = await runCliProcess(['-c', env.configPath, '--json', ...args]);
  let json: PassReport['json'] = null;
  try {
    json = JSON.parse(result.stdout) as PassReport['json'];
  } catch {
    json = null;
  }
  return { ...result, json, svc: json?.processes[0] ?? null };
}

/** The state layout of a demo env (its config's directory under `<dir>/state`). */
export function stateLayout(env: DemoEnv): Promise<StateLayout> {
  return openStateLayout(`${env.dir}/state`, env.configPath);
}

/** The journal lines of a demo env, parsed. */
export async function readJournal(env: DemoEnv): Promise<Array<Record<string, unknown>>> {
  const layout = await stateLayout(env);
  const text = await readFile(layout.journalPath, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
