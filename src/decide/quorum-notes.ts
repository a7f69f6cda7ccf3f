/** Writes what the quorum check found into the plan's state, for status (pure; issue 12). */
import type { Plan } from './actions.js';
import type { DecideInput } from './make-plan.js';
import { describeDisagreement, describeStartHold, type QuorumAssessment } from './quorum.js';

/**
 * Sets `disagreement` (this watcher against the quorum, or null) and `unsafe` (why a
 * failover is not safely possible, while the status is `unsafe`) on the plan's state.
 */
export function withQuorumNotes(input: DecideInput, plan: Plan, quorum: QuorumAssessment): Plan {
  const prefix = `${input.process.name}: `;
  const hold = plan.hold?.bound === 'quorum' ? describeStartHold(quorum, input.process) : null;
  const disagreement = hold ?? describeDisagreement(quorum);
  const unsafe =
    plan.status === 'unsafe'
      ? plan.summary.startsWith(prefix)
        ? plan.summary.slice(prefix.length)
        : plan.summary
      : null;
  // Only written once there is something to say, so a record that never had a note stays as it was.
  const notes = {
    ...(disagreement !== null || plan.state.disagreement != null ? { disagreement } : {}),
    ...(unsafe !== null || plan.state.unsafe != null ? { unsafe } : {}),
  };
  return { ...plan, state: { ...plan.state, ...notes } };
}
