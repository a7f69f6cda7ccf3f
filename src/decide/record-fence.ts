/** Folds a fence's outcome into the state and the pass's attempts (pure; issue 12). */
import type { ProcessConfig } from '../config/model.js';
import { hostRecord, type ProcessState } from '../state/model.js';
import type { ActionOutcome, FenceAction, PassAttempts } from './actions.js';
import { backoffDelay } from './backoff.js';

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
  const failures = outcome.ok ? 0 : (record.fenceFailures ?? 0) + 1;
  const fenceRecord = outcome.ok
    ? { ...record, fencedAt: now, fenceFailures: 0, fenceRetryAt: null }
    : { ...record, fenceFailures: failures, fenceRetryAt: now + backoffDelay(process, failures) };
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
    hosts: { ...state.hosts, [host]: fenceRecord },
  };
}

/** Notes on every host an action ran a command for when it did (the peers' older views of it are out of date). */
export function markActed(state: ProcessState, outcome: ActionOutcome, now: number): ProcessState {
  const { action } = outcome;
  if (action.type === 'hook' || outcome.refused || outcome.aborted) return state;
  // A failed fence changed nothing on the host: what the peers saw of it still holds.
  if (action.type === 'fence' && !outcome.ok) return state;
  const hosts = [action.host, ...(action.type === 'switchover' ? action.fromHosts : [])];
  const touched = Object.fromEntries(hosts.map((h) => [h, { ...hostRecord(state, h), actedAt: now }]));
  return { ...state, hosts: { ...state.hosts, ...touched } };
}

/** Notes a failed fence so the rest of the pass does not run it again. */
export function recordFenceAttempt(attempts: PassAttempts, outcome: ActionOutcome): PassAttempts {
  if (outcome.ok || outcome.refused || outcome.action.type !== 'fence') return attempts;
  return { ...attempts, fenceFailed: { ...attempts.fenceFailed, [outcome.action.host]: outcome.reason } };
}
