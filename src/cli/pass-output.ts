/** Renders the results of a pass: one line per process, or the documented JSON. */
import type { Action } from '../decide/actions.js';
import type { ProcessPassResult } from '../pass/run-pass.js';
import { EXIT_NOT_UP, EXIT_OK } from '../errors.js';

/** Whether an instance of the process is up after the pass. */
export function isUpAfterPass(result: ProcessPassResult): boolean {
  return (
    result.status === 'up' ||
    (result.activeHost !== null &&
      ['maintenance', 'latched', 'given-up'].includes(result.status) &&
      result.observations.some((o) => o.kind === 'up'))
  );
}

/** 0 when every selected process is up after the pass, else 1. */
export function passExitCode(results: ProcessPassResult[]): number {
  return results.every(isUpAfterPass) ? EXIT_OK : EXIT_NOT_UP;
}

/** The human output: one sentence per process. */
export function renderPassText(results: ProcessPassResult[]): string {
  return results.map((r) => `${r.summary}\n`).join('');
}

/** A planned action as JSON. */
function plannedJson(action: Action): Record<string, unknown> {
  return action.type === 'hook' ? { type: 'hook', hook: action.hook, reason: action.reason } : { ...action };
}

/** The JSON output (schemaVersion 1, documented in the README). */
export function renderPassJson(configFile: string, dryRun: boolean, results: ProcessPassResult[]): string {
  const body = {
    schemaVersion: 1,
    config: configFile,
    dryRun,
    exitCode: passExitCode(results),
    processes: results.map((r) => ({
      name: r.process,
      status: r.status,
      up: isUpAfterPass(r),
      activeHost: r.activeHost,
      summary: r.summary,
      observations: r.observations.map((o) => ({
        host: o.host,
        kind: o.kind,
        priority: o.priority ?? null,
        reason: o.reason ?? null,
        exitCode: o.exitCode,
        durationMs: o.durationMs,
        at: new Date(o.at).toISOString(),
      })),
      actions: r.outcomes.map((o) => ({
        type: o.action.type,
        host: o.action.type === 'hook' ? o.action.toHost : o.action.host,
        ...(o.action.type === 'hook' ? { hook: o.action.hook } : {}),
        ok: o.ok,
        reason: o.reason,
        exitCode: o.exitCode ?? null,
        durationMs: o.durationMs,
      })),
      planned: r.planned.map(plannedJson),
      hold: r.hold && {
        bound: r.hold.bound,
        until: r.hold.until === null ? null : new Date(r.hold.until).toISOString(),
      },
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
