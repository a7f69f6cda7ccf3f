/**
 * Folds the outcome of an action into the process state (pure): active host,
 * start history for flap damping, back-off, latch, counters, last action.
 */
import type { ProcessConfig } from '../config/model.js';
import { hostRecord, type ProcessState } from '../state/model.js';
import type { ActionOutcome, PassAttempts } from './actions.js';
import { backoffDelay, retryAfterOf } from './backoff.js';
import { markActed, recordFence, recordFenceAttempt } from './record-fence.js';

/** Returns the state after `outcome`, which finished at `now`. */
export function recordOutcome(
  process: ProcessConfig,
  before: ProcessState,
  outcome: ActionOutcome,
  now: number,
): ProcessState {
  const { action } = outcome;
  const state = markActed(before, outcome, now);
  if (action.type === 'hook' || outcome.refused) return state;
  if (action.type === 'fence') return recordFence(process, state, { ...outcome, action }, now);
  const lastAction = {
    type: action.type,
    host: action.host,
    ok: outcome.ok,
    reason: outcome.reason,
    at: now,
  };
  let next: ProcessState = { ...state, lastAction };
  if (action.type === 'stop') {
    if (!outcome.ok) return next;
    return {
      ...next,
      activeHost: next.activeHost === action.host ? null : next.activeHost,
      counters: { ...next.counters, stops: next.counters.stops + 1 },
    };
  }
  // An aborted failover started nothing: it is no start for flap damping and no failure of the host.
  if (outcome.aborted) return next;
  // A switchover (failback, operator move) happens while the service runs: it is not a restart, so
  // it does not use up the flap-damping budget the next real failure may need.
  if (action.type === 'start') {
    const startedAt = now - outcome.durationMs;
    next = {
      ...next,
      startTimes: [...next.startTimes.filter((t) => t > now - process.restartWindowMs), startedAt],
    };
  }
  if (outcome.notStoppedHosts?.length) {
    // A stop-first switchover stopped short: nothing was started on the target, which is not to blame.
    const stopped = outcome.stoppedHosts ?? [];
    const activeStopped = next.activeHost !== null && stopped.includes(next.activeHost);
    return {
      ...next,
      activeHost: activeStopped ? null : next.activeHost,
      counters: { ...next.counters, stops: next.counters.stops + stopped.length },
    };
  }
  const record = hostRecord(next, action.host);
  if (!outcome.ok) {
    const failedStarts = record.failedStarts + 1;
    const lastFailure = { kind: 'start-failed' as const, at: now, reason: outcome.reason };
    const retryAfter = retryAfterOf(now, backoffDelay(process, failedStarts));
    // A group's switchover stops the old host first: when the start then fails, nothing runs there.
    const stopped = outcome.stoppedHosts ?? [];
    const activeStopped = next.activeHost !== null && stopped.includes(next.activeHost);
    return {
      ...next,
      activeHost: activeStopped ? null : next.activeHost,
      hosts: { ...next.hosts, [action.host]: { ...record, failedStarts, retryAfter, lastFailure } },
      counters: {
        ...next.counters,
        failedStarts: next.counters.failedStarts + 1,
        stops: next.counters.stops + stopped.length,
      },
    };
  }
  const failover = action.type === 'switchover' ? action.operator !== true : action.failover;
  return {
    ...next,
    activeHost: action.host,
    startedAt: now,
    placedAt: now,
    latched: next.latched || (failover && process.latch),
    hosts: { ...next.hosts, [action.host]: { ...record, retryAfter: null } },
    counters: {
      ...next.counters,
      starts: next.counters.starts + 1,
      failovers: next.counters.failovers + (failover ? 1 : 0),
      stops: next.counters.stops + (outcome.stoppedHosts?.length ?? 0),
    },
  };
}

/** Notes a failed start or stop so the rest of this pass moves on to other hosts. */
export function recordAttempt(attempts: PassAttempts, outcome: ActionOutcome): PassAttempts {
  const { action } = outcome;
  if (action.type === 'hook') {
    return {
      ...attempts,
      hooksRun: [...attempts.hooksRun, action.healed ? 'splitBrainHealed' : action.hook],
    };
  }
  if (outcome.ok || outcome.refused) return attempts;
  if (action.type === 'fence') return recordFenceAttempt(attempts, outcome);
  if (outcome.aborted) return { ...attempts, failoverAborted: outcome.reason };
  if (action.type === 'stop')
    return { ...attempts, stopFailed: { ...attempts.stopFailed, [action.host]: outcome.reason } };
  if (outcome.notStoppedHosts?.length) {
    const failed = Object.fromEntries(outcome.notStoppedHosts.map((host) => [host, outcome.reason]));
    return { ...attempts, stopFailed: { ...attempts.stopFailed, ...failed } };
  }
  return { ...attempts, startFailed: { ...attempts.startFailed, [action.host]: outcome.reason } };
}
