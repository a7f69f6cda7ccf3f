/**
 * The restart and placement policy (pure): nothing is up, so start on the most preferred
 * candidate that can take it, or say which bound holds the start back and until when.
 *
 * Bounds, in order: a failover abandoned by its before_failover step; `check_count`; the priority
 * wait of a per-host file; per-host back-off (a backing-off host is skipped, so it never keeps the
 * service down while another candidate can take it; when every candidate backs off, the start waits
 * at most `backoff_max` after the last failure); flap damping (`max_restarts` starts within
 * `restart_window` → given-up). With several watchers, no start until a quorum agrees nothing is
 * up (quorum.ts); a failover from an active host that is not confirmed down fences it first or
 * is refused as `unsafe` (fence.ts). See the README's restart-policy and quorum sections.
 */
import type { ProcessStatus } from '../state/model.js';
import { hostRecord, type ProcessState } from '../state/model.js';
import type { Action, Plan, StartHold } from './actions.js';
import { retryAt } from './backoff.js';
import { formatReasons, observationsByCandidate, startBlocker } from './candidates.js';
import { downCause } from './death.js';
import { makePlan, type DecideInput } from './make-plan.js';
import { describeFromHost, fenceBeforeStart } from './fence.js';
import { assessQuorum, describeStartHold, type QuorumAssessment } from './quorum.js';

/** A plan that starts nothing, with the bound that holds the start back. */
function holdPlan(
  input: DecideInput,
  state: ProcessState,
  status: ProcessStatus,
  summary: string,
  hold: StartHold,
): Plan {
  return { ...makePlan(input, state, status, [], summary), hold };
}

/** Nothing up: wait (check_count, priority wait, back-off, flap damping) or start on the best candidate. */
export function decideNoneUp(
  input: DecideInput,
  state: ProcessState,
  quorum: QuorumAssessment = assessQuorum(input),
): Plan {
  const { process, now } = input;
  if (input.attempts.failoverAborted !== undefined) {
    return holdPlan(input, state, 'failed', `down; ${input.attempts.failoverAborted}`, {
      bound: 'failover_aborted',
      until: null,
    });
  }
  const active = state.activeHost;
  if (active !== null && input.attempts.startFailed[active] === undefined) {
    const bad = hostRecord(state, active).badChecks;
    if (bad > 0 && bad < process.checkCount) {
      const summary = `not up on ${active} (check ${bad} of ${process.checkCount}), waiting`;
      return holdPlan(input, state, 'waiting', summary, { bound: 'check_count', until: null });
    }
  }
  if (process.priority > 1 && process.priorityWaitMs > 0 && state.downSince !== null) {
    const waitUntil = state.downSince + (process.priority - 1) * process.priorityWaitMs;
    if (now < waitUntil) {
      const seconds = Math.ceil((waitUntil - now) / 1000);
      const summary = `down; priority ${process.priority} waits ${seconds} s more for a preferred watcher`;
      return holdPlan(input, state, 'waiting', summary, { bound: 'priority_wait', until: waitUntil });
    }
  }
  const held = describeStartHold(quorum, process);
  if (held) return holdPlan(input, state, 'waiting', held, { bound: 'quorum', until: null });
  const blocked: Array<[string, string]> = [];
  for (const { candidate, observation } of observationsByCandidate(process, input.observations)) {
    const blocker = startBlocker(process, candidate, observation, state, input.attempts, now);
    if (blocker !== null) {
      blocked.push([candidate.host, blocker]);
      continue;
    }
    return planStart(input, state, candidate.host, blocked, quorum);
  }
  return holdNoCandidate(input, state, blocked);
}

/** Every candidate is blocked: wait for the first back-off to end, or report that none can start it. */
function holdNoCandidate(input: DecideInput, state: ProcessState, blocked: Array<[string, string]>): Plan {
  const { now } = input;
  const retries = observationsByCandidate(input.process, input.observations)
    .filter(({ observation }) => observation.kind === 'down')
    .map(({ candidate }) => retryAt(input.process, hostRecord(state, candidate.host)))
    .filter((t): t is number => t !== null && t > now);
  const failedThisPass = Object.keys(input.attempts.startFailed).length > 0;
  const cause = downCause(state);
  const lead = failedThisPass
    ? 'was down, no host could start it'
    : `${cause ? `${cause}; ` : 'down, '}no host can start it now`;
  const reasons = `${lead} (${formatReasons(blocked)})`;
  if (retries.length === 0) {
    return holdPlan(input, state, 'failed', reasons, { bound: 'no_candidate', until: null });
  }
  const until = Math.min(...retries);
  const summary = `${reasons}; next start in ${Math.ceil((until - now) / 1000)} s`;
  const onlyBackingOff = blocked.every(([, why]) => why.startsWith('backing off'));
  const status: ProcessStatus = !failedThisPass && onlyBackingOff ? 'waiting' : 'failed';
  return holdPlan(input, state, status, summary, { bound: 'backoff', until });
}

/** A start on `host`, unless flap damping says to give up first. */
function planStart(
  input: DecideInput,
  state: ProcessState,
  host: string,
  blocked: Array<[string, string]>,
  quorum: QuorumAssessment,
): Plan {
  const { process, now } = input;
  const recent = state.startTimes.filter((t) => t > now - process.restartWindowMs);
  if (recent.length >= process.maxRestarts) {
    const next = { ...state, givenUpAt: now, startTimes: recent };
    const window = Math.round(process.restartWindowMs / 1000);
    const summary = `gave up: ${recent.length} starts within ${window} s (max_restarts ${process.maxRestarts})`;
    const until = process.givenUpRetryMs === null ? null : now + process.givenUpRetryMs;
    return holdPlan(input, next, 'given-up', summary, { bound: 'flap_damping', until });
  }
  const fence = fenceBeforeStart(input, state, quorum, host);
  if (fence.kind === 'unsafe') {
    return holdPlan(input, state, 'unsafe', fence.reason, { bound: 'fence', until: fence.retryAt });
  }
  const from = state.activeHost;
  const failover = from !== null && from !== host;
  const note: Array<[string, string]> =
    fence.kind === 'clear' && fence.note ? [[from ?? host, fence.note]] : [];
  const skipped = [...blocked, ...note];
  const skippedText = skipped.length > 0 ? formatReasons(skipped) : undefined;
  const why = skippedText ? ` (${skippedText})` : '';
  const cause = downCause(state);
  const fromHost = describeFromHost(state, quorum, host, fence);
  const reason = cause
    ? `${cause}${why}${fromHost}`
    : from === null
      ? `not running${why}`
      : `down on ${from}${why}${fromHost}`;
  const action: Action = {
    type: 'start',
    host,
    fromHost: from,
    failover,
    reason,
    ...(skippedText ? { skipped: skippedText } : {}),
    ...(cause ? { cause } : {}),
  };
  const verb = from === host ? 'restarting' : 'starting';
  const fencing = fence.kind === 'fence' ? `fencing ${fence.action.host} then ` : '';
  const summary = cause
    ? `${cause}; ${fencing}${verb} on ${host}${why}`
    : `down, ${fencing}starting on ${host}${why}`;
  return makePlan(input, state, 'down', fence.kind === 'fence' ? [fence.action, action] : [action], summary);
}
