/**
 * The rules of a group (issue 13), applied to a group unit's plan (pure). A group never runs
 * on two hosts at once, not even in part:
 * - a host where some members are up and some down (`partial`) is no instance — the restart
 *   policy already treats it as dead — but its members hold resources there, so the whole
 *   group is stopped there (members in reverse order) before anything else is done; not while
 *   the death is still being confirmed (check_count) or cannot be acted on safely (quorum,
 *   fence), nor in maintenance, latched or given-up (an operator `stop` excepted);
 * - a stop of the group that failed in this pass holds every start back, whatever its host
 *   shows now (its resources may still be held there);
 * - a switchover (move, failback) stops the group on the old host before starting it on the
 *   new one (`stopFirst`): a pool or a mount cannot be on two hosts, not even for a moment.
 */
import type { Action, HoldBound, Plan, StopAction } from './actions.js';
import type { DecideInput } from './make-plan.js';

/** Holds under which a partial host is left alone: the death is not confirmed, or not safely actionable. */
const WAITING_HOLDS: readonly HoldBound[] = ['check_count', 'quorum', 'fence'];

/** `plan` with the group rules applied; any other process's plan unchanged. */
export function applyGroupRules(input: DecideInput, plan: Plan): Plan {
  if (!input.process.members) return plan;
  const switched = stopBeforeSwitchover(plan);
  return holdAfterFailedStop(input, switched) ?? stopPartialHosts(input, switched);
}

/**
 * A stop of the group that failed in this pass, whatever the host shows now (partial, up,
 * unknown), holds every start back: its resources may still be held there. Null when none failed.
 */
function holdAfterFailedStop(input: DecideInput, plan: Plan): Plan | null {
  const failed = Object.entries(input.attempts.stopFailed);
  if (failed.length === 0) return null;
  const isMove = (a: Action) => a.type === 'start' || a.type === 'switchover';
  if (!plan.actions.some(isMove)) return plan;
  const partial = new Set(input.observations.filter((o) => o.partial === true).map((o) => o.host));
  const why = failed.map(([host, reason]) => `${host}: ${reason}`).join('; ');
  const what = failed.every(([host]) => partial.has(host)) ? 'the partial group' : 'the group';
  return {
    ...plan,
    actions: plan.actions.filter((a) => !isMove(a)),
    summary: `${plan.summary}; not starting: ${what} did not stop (${why})`,
  };
}

/** Marks every switchover to stop the old hosts before the start. */
function stopBeforeSwitchover(plan: Plan): Plan {
  if (!plan.actions.some((a) => a.type === 'switchover')) return plan;
  const actions = plan.actions.map((a): Action => (a.type === 'switchover' ? { ...a, stopFirst: true } : a));
  return { ...plan, actions };
}

/** Adds a stop of the group on each partial host, ahead of every action but the status hook. */
function stopPartialHosts(input: DecideInput, plan: Plan): Plan {
  const partial = input.observations.filter((o) => o.partial === true);
  if (partial.length === 0 || !actsOnPartial(input, plan)) return plan;
  const stops: StopAction[] = partial
    .filter((o) => !plan.actions.some((a) => a.type === 'stop' && a.host === o.host))
    .map((o) => ({
      type: 'stop',
      host: o.host,
      reason: `group ${input.process.name} ${o.reason ?? 'partial'} on ${o.host}: stopping every member there`,
    }));
  if (stops.length === 0) return plan;
  const lead = plan.actions.findIndex((a) => a.type !== 'hook');
  const at = lead < 0 ? plan.actions.length : lead;
  return {
    ...plan,
    actions: [...plan.actions.slice(0, at), ...stops, ...plan.actions.slice(at)],
    summary: `${plan.summary}; stopping the partial group on ${stops.map((s) => s.host).join(', ')}`,
  };
}

/** Whether this plan may touch a partial host at all. */
function actsOnPartial(input: DecideInput, plan: Plan): boolean {
  if (plan.status === 'latched' || plan.status === 'given-up') return false;
  if (plan.status === 'maintenance' && input.state.request?.type !== 'stop') return false;
  return !(plan.hold && WAITING_HOLDS.includes(plan.hold.bound));
}
