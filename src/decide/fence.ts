/**
 * Fencing before a failover (issue 12), Pacemaker's rule: never start a process
 * elsewhere while its old instance may still run. A failover from the active
 * host whose instance is not confirmed down (a quorum saw it unreachable or in
 * error rather than answering `down`) fences that host first. Without a
 * successful fence it does not happen, unless `fence_required = no`. After a
 * `reset`, `stop` or maintenance cleared the active host, the last host an
 * instance was known on (`lastActiveHost`) is fenced the same way.
 */
import { hostRecord, type ProcessState } from '../state/model.js';
import type { FenceAction } from './actions.js';
import type { DecideInput } from './make-plan.js';
import { describeUnconfirmed, isConfirmedDown, type QuorumAssessment } from './quorum.js';

/** The host a start elsewhere fails over from: the active host, else the last one an instance was known on. */
export function fenceSubject(state: ProcessState): string | null {
  return state.activeHost ?? state.lastActiveHost ?? null;
}

/**
 * `lastActiveHost` for the state a plan leaves: the active host while there is one;
 * else the last one, until that host is confirmed down (by the quorum) or fenced.
 */
export function trackLastActive(state: ProcessState, quorum: QuorumAssessment): ProcessState {
  const last = fenceSubject(state);
  const settled =
    last === null ||
    (state.activeHost === null &&
      (isConfirmedDown(quorum, last) || (hostRecord(state, last).fencedAt ?? null) !== null));
  const next = settled ? null : last;
  if (next === (state.lastActiveHost ?? null)) return state;
  return { ...state, lastActiveHost: next };
}

/** What must happen before a start on `toHost`: nothing, a fence first, or no start at all. */
export type FenceStep =
  | { kind: 'clear'; note?: string }
  | { kind: 'fence'; action: FenceAction }
  /** `retryAt`: when the next fence may run (after a failed one), or null. */
  | { kind: 'unsafe'; reason: string; retryAt: number | null };

/**
 * How the start's reason names the host it fails over from, when that is not plain
 * `down`: `; A fenced`, or `; A not confirmed down, not fenced` (the journal and the
 * hooks' {reason} tell a takeover from an unconfirmed host that way).
 */
export function describeFromHost(
  state: ProcessState,
  quorum: QuorumAssessment,
  toHost: string,
  step: FenceStep,
): string {
  const from = fenceSubject(state);
  if (from === null || from === toHost || isConfirmedDown(quorum, from)) return '';
  if (step.kind === 'fence' || (hostRecord(state, from).fencedAt ?? null) !== null) return `; ${from} fenced`;
  return `; ${from} not confirmed down, not fenced`;
}

/** Decides whether the start on `toHost` needs a fence of the active host first. */
export function fenceBeforeStart(
  input: DecideInput,
  state: ProcessState,
  quorum: QuorumAssessment,
  toHost: string,
): FenceStep {
  const from = fenceSubject(state);
  if (from === null || from === toHost || isConfirmedDown(quorum, from)) return { kind: 'clear' };
  const record = hostRecord(state, from);
  if ((record.fencedAt ?? null) !== null) return { kind: 'clear' };
  const required = input.process.fencing?.required ?? false;
  const command = input.process.candidates.find((c) => c.host === from)?.commands.fence;
  const unconfirmed = `${from} is not confirmed down (${describeUnconfirmed(quorum, from)})`;
  const retryAt = record.fenceRetryAt ?? null;
  // The back-off is the host's own: a later fence of another host does not lift it.
  const last = state.lastFence?.host === from && !state.lastFence.ok ? state.lastFence : null;
  const why = last ? last.reason.replace(/^.* → /, '') : `${record.fenceFailures ?? 1} failed fence(s)`;
  const waiting =
    retryAt !== null && retryAt > input.now
      ? `${why}; next fence in ${Math.ceil((retryAt - input.now) / 1000)} s`
      : undefined;
  const failed = input.attempts.fenceFailed?.[from] ?? waiting;
  if (failed !== undefined) {
    if (required)
      return {
        kind: 'unsafe',
        reason: `not safely recoverable: ${unconfirmed} and its fence failed (${failed})`,
        retryAt: retryAt !== null && retryAt > input.now ? retryAt : null,
      };
    return {
      kind: 'clear',
      note: `fence of ${from} failed (${failed}), failing over anyway (fence_required = no)`,
    };
  }
  if (command === undefined) {
    if (!required) return { kind: 'clear' };
    return {
      kind: 'unsafe',
      reason: `not safely recoverable: ${unconfirmed} and no fence is configured (set 'fence', or 'fence_required = no')`,
      retryAt: null,
    };
  }
  return {
    kind: 'fence',
    action: { type: 'fence', host: from, reason: `before failing over to ${toHost}: ${unconfirmed}` },
  };
}
