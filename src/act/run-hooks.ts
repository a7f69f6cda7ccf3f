/**
 * Runs a hook list in order, one step at a time, on this machine. A failing
 * step stops the list unless it is optional; every step is logged.
 */
import type { HookStep, ProcessConfig } from '../config/model.js';
import { renderHookCommand } from '../config/render-hook.js';
import type { HookName } from '../decide/actions.js';
import { describeFailure, type ActContext } from './context.js';

export interface HookVars {
  fromHost: string | null;
  toHost: string | null;
  reason: string;
}

export interface HookStepResult {
  command: string;
  ok: boolean;
  optional: boolean;
  exitCode: number | null;
  durationMs: number;
  reason: string;
}

export interface HookListResult {
  ok: boolean;
  steps: HookStepResult[];
  reason: string;
}

/** Runs `process.hooks[hook]`; ok is false when a required step failed (later steps are skipped). */
export async function runHookList(
  context: ActContext,
  process: ProcessConfig,
  hook: HookName,
  vars: HookVars,
): Promise<HookListResult> {
  const steps: HookStep[] = process.hooks[hook];
  const results: HookStepResult[] = [];
  for (const [index, step] of steps.entries()) {
    if (!context.mayAct())
      return { ok: false, steps: results, reason: `${hook} step ${index + 1} not run: not acting` };
    const command = renderHookCommand(step.command, {
      process: process.name,
      from_host: vars.fromHost,
      to_host: vars.toHost,
      reason: vars.reason,
    });
    const result = await context.hookExecutor.run(command, {
      timeoutMs: step.timeoutMs,
      env: {
        HA_VALET_PROCESS: process.name,
        HA_VALET_HOOK: hook,
        HA_VALET_FROM_HOST: vars.fromHost ?? '',
        HA_VALET_TO_HOST: vars.toHost ?? '',
        HA_VALET_REASON: vars.reason,
      },
    });
    const ok = result.exitCode === 0;
    const reason = ok ? 'ok' : describeFailure(result);
    const fields = {
      process: process.name,
      hook,
      step: index + 1,
      command,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
    };
    if (ok) context.logger.info(`hook ${hook} step ${index + 1} of ${process.name} ok`, fields);
    else context.logger.warn(`hook ${hook} step ${index + 1} of ${process.name} failed: ${reason}`, fields);
    results.push({
      command,
      ok,
      optional: step.optional,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      reason,
    });
    if (!ok && !step.optional) {
      return { ok: false, steps: results, reason: `${hook} step ${index + 1} failed (${reason})` };
    }
  }
  return { ok: true, steps: results, reason: 'ok' };
}
