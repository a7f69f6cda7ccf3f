/**
 * The HA rules, as one pure function: (config, observations, stored state,
 * attempts this pass, now) → plan. No I/O, no clock, no randomness.
 *
 * Guard clauses in a fixed order (Patroni's cycle): operator request →
 * maintenance → given-up → latched → split brain → one up (failback) → none up.
 * With several watchers, instances are counted on the merged view (quorum.ts)
 * and a failover from a host not confirmed down is fenced first (fence.ts).
 */
import { hostRecord, type ProcessState } from '../state/model.js';
import type { Action, Plan } from './actions.js';
import { makePlan, type DecideInput } from './make-plan.js';
import { formatReasons, observationsByCandidate, rankUpInstances, startBlocker } from './candidates.js';
import { clearBackoff } from './backoff.js';
import { decideNoneUp } from './restart-policy.js';
import { applyOperatorRequest } from './operator.js';
import { trackLastActive } from './fence.js';
import { withQuorumNotes } from './quorum-notes.js';
import { applyGroupRules } from './group-rules.js';
import { assessQuorum, describeHeldUp, orderSplitBrain, type QuorumAssessment } from './quorum.js';

/** Decides what to do for one process. */
export function decide(input: DecideInput): Plan {
  const quorum = assessQuorum(input);
  const plan = withQuorumNotes(input, applyGroupRules(input, decideRules(input, quorum)), quorum);
  return { ...plan, state: trackLastActive(plan.state, quorum) };
}

/** The guard clauses, in order. */
function decideRules(input: DecideInput, quorum: QuorumAssessment): Plan {
  const request = applyOperatorRequest(input, quorum);
  if (request.plan) return request.plan;
  let state = request.state;
  const { process, now } = input;
  if (state.maintenance) {
    return makePlan(input, state, 'maintenance', [], 'in maintenance: probing only, not acting');
  }
  if (state.givenUpAt !== null) {
    const retryAt = process.givenUpRetryMs === null ? null : state.givenUpAt + process.givenUpRetryMs;
    if (retryAt === null || now < retryAt) {
      const when = retryAt === null ? 'never retries' : `retries in ${Math.ceil((retryAt - now) / 1000)} s`;
      const summary = `given up after too many restarts (${when}; reset to revive)`;
      return {
        ...makePlan(input, state, 'given-up', [], summary),
        hold: { bound: 'flap_damping', until: retryAt },
      };
    }
    // The slow retry ends given-up only: a latch still holds (found by the property tests).
    // It is one start, not a new budget: the window is left one start short of max_restarts,
    // so a retry that fails (or dies and needs another start within restart_window) gives up
    // again; once restart_window has passed since the retry, the whole budget is back.
    const spent = Array.from({ length: Math.max(0, process.maxRestarts - 1) }, () => now);
    state = { ...state, givenUpAt: null, startTimes: spent };
  }
  if (state.latched) {
    const where = state.activeHost ? ` to ${state.activeHost}` : '';
    return makePlan(input, state, 'latched', [], `latched after failover${where}: not acting until reset`);
  }
  return decideRunning(input, state, quorum);
}

/** Split brain, one up, or none up: on the merged view of every live watcher. */
function decideRunning(input: DecideInput, state: ProcessState, quorum: QuorumAssessment): Plan {
  const up = rankUpInstances(input.process, quorum.observations);
  if (up.length > 1) return decideSplitBrain(input, state, up, quorum);
  if (up.length === 1) {
    const plan = decideOneUp(input, state, up[0]!.candidate.host, up[0]!.priority);
    // Up for the quorum but not for this watcher: it can neither stop it nor fail back from it.
    const held = describeHeldUp(quorum, up[0]!.candidate.host);
    if (!held) return plan;
    const actions = plan.actions.filter((a) => a.type !== 'switchover');
    return { ...plan, actions, summary: `${input.process.name}: ${held}` };
  }
  return decideNoneUp(input, state, quorum);
}

/** More than one instance up: keep the best, stop the others. */
function decideSplitBrain(
  input: DecideInput,
  state: ProcessState,
  ranked: ReturnType<typeof rankUpInstances>,
  quorum: QuorumAssessment,
): Plan {
  const { ordered: up, hold, unreachable } = orderSplitBrain(quorum, ranked);
  const keeper = up[0]!;
  const extras = up.slice(1).map((u) => u.candidate.host);
  const stoppable = extras.filter(
    (host) => input.attempts.stopFailed[host] === undefined && !unreachable.includes(host),
  );
  const next = { ...state, activeHost: keeper.candidate.host };
  const summary = `split brain: up on ${up.map((u) => `${u.candidate.host} (priority ${u.priority})`).join(', ')}`;
  if (hold) return makePlan(input, next, 'split-brain', [], `${summary}; ${hold}`);
  if (stoppable.length === 0) {
    const why = (h: string) => input.attempts.stopFailed[h] ?? 'not up from this watcher, cannot stop it';
    const failures = formatReasons(extras.map((h) => [h, why(h)]));
    return makePlan(input, next, 'split-brain', [], `${summary}; could not stop the extras (${failures})`);
  }
  const actions: Action[] = stoppable.map((host) => ({
    type: 'stop',
    host,
    reason: `split brain: keeping ${keeper.candidate.host} (priority ${keeper.priority})`,
  }));
  return makePlan(input, next, 'split-brain', actions, `${summary}; keeping ${keeper.candidate.host}`);
}

/** Exactly one instance up: adopt it, note a healed split brain, consider failback. */
function decideOneUp(input: DecideInput, state: ProcessState, host: string, priority: number): Plan {
  const { process, now } = input;
  const record = hostRecord(state, host);
  const settled = record.upSince !== null && now - record.upSince >= process.minUptimeMs;
  const next: ProcessState = {
    ...state,
    activeHost: host,
    startedAt: state.activeHost === host ? state.startedAt : null,
    hosts: settled ? { ...state.hosts, [host]: clearBackoff(record) } : state.hosts,
  };
  const actions: Action[] = [];
  const healed = state.status === 'split-brain' && !input.attempts.hooksRun.includes('splitBrainHealed');
  if (healed && process.hooks.onSplitBrain.length > 0) {
    actions.push({
      type: 'hook',
      hook: 'onSplitBrain',
      healed: true,
      fromHost: null,
      toHost: host,
      reason: `split brain healed: up on ${host}`,
    });
  }
  const failback = chooseFailback(input, next, host);
  if (failback) {
    actions.push({
      type: 'switchover',
      host: failback,
      fromHosts: [host],
      reason: `failback to preferred ${failback}, healthy for ${Math.round(process.failbackDelayMs / 1000)} s`,
    });
    return makePlan(
      input,
      next,
      'up',
      actions,
      `up on ${host} (priority ${priority}); failing back to ${failback}`,
    );
  }
  return makePlan(input, next, 'up', actions, `up on ${host} (priority ${priority})`);
}

/** The more preferred host to fail back to, when failback is on and it has been healthy long enough. */
function chooseFailback(input: DecideInput, state: ProcessState, activeHost: string): string | null {
  const { process, now } = input;
  if (!process.failback) return null;
  const active = process.candidates.find((c) => c.host === activeHost);
  if (!active) return null;
  for (const { candidate, observation } of observationsByCandidate(process, input.observations)) {
    if (candidate.rank >= active.rank) break;
    if (startBlocker(process, candidate, observation, state, input.attempts, now) !== null) continue;
    // Healthy for failback_delay since it answered again and since the service was placed where it
    // runs now: a `move` or `start --on` (or a failover after a failed start) is not undone at once.
    const reachable = hostRecord(state, candidate.host).reachableSince;
    const since = reachable === null ? null : Math.max(reachable, state.placedAt ?? reachable);
    if (since !== null && now - since >= process.failbackDelayMs) return candidate.host;
  }
  return null;
}

export type { DecideInput } from './make-plan.js';
