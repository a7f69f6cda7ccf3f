/** Folds a fence's outcome into the state and the pass's attempts (pure; issue 12). */
import type { ProcessConfig } from '../config/model.js';
import { hostRecord, type ProcessState } from '../state/model.js';
import type { ActionOutcome, FenceAction, PassAttempts } from './actions.js';

/** The state after fencing `action.host`: last fence, per-host counts, and the host marked fenced. */
export function recordFence(
  process: ProcessConfig,
  state: ProcessState,
  outcome: ActionOutcome & { action: FenceAction },
  now: number,
): ProcessState {
  const { host } = outcome.action;
  const command = process.candidates.find((c) => c.host === host)?.commands.fence ?? '';
  const counts = state.fences?.[host] ?? { ok: 0, failed: 0 };
  const record = hostRecord(state, host);
  return {
    ...state,
    lastFence: {
      host,
      ok: outcome.ok,
      command,
      exitCode: outcome.exitCode ?? null,
      durationMs: outcome.durationMs,
      reason: `${outcome.action.reason} → ${outcome.reason}`,
      at: now,
    },
    fences: {
      ...state.fences,
      [host]: outcome.ok ? { ...counts, ok: counts.ok + 1 } : { ...counts, failed: counts.failed + 1 },
    },
    hosts: outcome.ok ? { ...state.hosts, [host]: { ...record, fencedAt: now } } : state.hosts,
  };
}

/** Notes a failed fence so the rest of the pass does not run it again. */
export function recordFenceAttempt(attempts: PassAttempts, outcome: ActionOutcome): PassAttempts {
  if (outcome.ok || outcome.refused || outcome.action.type !== 'fence') return attempts;
  return { ...attempts, fenceFailed: { ...attempts.fenceFailed, [outcome.action.host]: outcome.reason } };
}
