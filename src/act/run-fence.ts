/**
 * Runs a fence (issue 12): the section's `fence` command for the host being
 * fenced, on this watcher's own machine (the hook executor), never through the
 * fenced host's executor — it is an out-of-band action (IPMI, a cloud API, a
 * switch port). Exit 0 = fenced; anything else, or `fence_timeout`, = failed.
 */
import { DEFAULT_FENCE_TIMEOUT_MS } from '../config/build-fence.js';
import type { ProcessConfig } from '../config/model.js';
import type { ActionOutcome, FenceAction } from '../decide/actions.js';
import { describeFailure, type ActContext } from './context.js';

/** Fences `action.host`; the outcome carries the exit code and a reason for the journal. */
export async function runFence(
  context: ActContext,
  process: ProcessConfig,
  action: FenceAction,
): Promise<Omit<ActionOutcome, 'action' | 'durationMs'>> {
  const command = process.candidates.find((c) => c.host === action.host)?.commands.fence;
  if (command === undefined) {
    return { ok: false, reason: `no fence configured for ${action.host}`, observations: [], exitCode: null };
  }
  const result = await context.hookExecutor.run(command, {
    timeoutMs: process.fencing?.timeoutMs ?? DEFAULT_FENCE_TIMEOUT_MS,
    env: { HA_VALET_PROCESS: process.name, HA_VALET_FENCE_HOST: action.host, HA_VALET_REASON: action.reason },
  });
  const ok = result.exitCode === 0 && !result.timedOut;
  const reason = ok ? `fenced ${action.host}` : `fence failed, ${describeFailure(result)}`;
  const fields = {
    process: process.name,
    host: action.host,
    command,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    reason: action.reason,
    ...(result.stderr.trim() ? { stderr: result.stderr.trim() } : {}),
  };
  if (ok) context.logger.warn(`fence ${process.name}@${action.host}: ok`, fields);
  else context.logger.error(`fence ${process.name}@${action.host}: ${reason}`, fields);
  return { ok, reason, observations: [], exitCode: result.exitCode };
}
