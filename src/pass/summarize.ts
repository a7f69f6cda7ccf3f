/** One line per process that tells what a pass found and did. */
import type { ActionOutcome, Plan } from '../decide/actions.js';

/** The pass's story: what was started or moved and why, else the final plan's sentence. */
export function summarizePass(name: string, finalPlan: Plan, outcomes: ActionOutcome[]): string {
  const failures = outcomes
    .filter((o) => !o.ok && (o.action.type === 'start' || o.action.type === 'switchover'))
    .map((o) => `${o.action.type === 'hook' ? '' : o.action.host}: ${o.reason}`);
  const why = failures.length > 0 ? ` (${failures.join('; ')})` : '';
  const started = outcomes.find((o) => o.ok && o.action.type === 'start');
  if (started && started.action.type === 'start' && finalPlan.status === 'up') {
    const { action } = started;
    const skipped = action.skipped;
    const details = skipped && failures.length === 0 ? ` (${skipped})` : why;
    const fenced = outcomes
      .filter((o) => o.ok && o.action.type === 'fence')
      .map((o) => (o.action.type === 'fence' ? `; fenced ${o.action.host} first` : ''))
      .join('');
    if (action.cause) {
      const verb =
        action.host === action.fromHost ? 'restarted on' : action.failover ? 'failed over to' : 'started on';
      return `${name}: ${action.cause}, ${verb} ${action.host}${details}${fenced}`;
    }
    const verb = action.failover ? `failed over from ${action.fromHost} to` : 'started on';
    return `${name}: was down, ${verb} ${action.host}${details}${fenced}`;
  }
  const moved = outcomes.find((o) => o.ok && o.action.type === 'switchover');
  if (moved && moved.action.type === 'switchover') {
    const { action } = moved;
    const kept = action.fromHosts.filter((h) => !(moved.stoppedHosts ?? []).includes(h));
    // An old instance that would not stop is said in the line, not only in the journal.
    if (kept.length > 0) return `${name}: ${moved.reason} (${action.reason})`;
    return `${name}: moved from ${action.fromHosts.join(', ')} to ${action.host} (${action.reason})`;
  }
  const stopped = outcomes.filter((o) => o.ok && o.action.type === 'stop');
  if (stopped.length > 0 && finalPlan.status === 'up') {
    const hosts = stopped.map((o) => (o.action.type === 'stop' ? o.action.host : '')).join(', ');
    return `${finalPlan.summary}; split brain resolved, stopped ${hosts}`;
  }
  return `${finalPlan.summary}${finalPlan.status === 'failed' ? '' : why}`;
}
