/** The input of decide() and the one place a plan (with its status transition) is built. */
import type { ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import type { MergedView } from '../quorum/merged-view.js';
import type { ProcessState, ProcessStatus } from '../state/model.js';
import type { Action, HookName, PassAttempts, Plan } from './actions.js';

export interface DecideInput {
  process: ProcessConfig;
  /** The latest observation of each candidate host. */
  observations: Observation[];
  /** Stored state, with this pass's observations already folded in (foldObservations). */
  state: ProcessState;
  attempts: PassAttempts;
  now: number;
  /** What the other live watchers see (coordination = etcd); absent: this watcher is the quorum. */
  view?: MergedView;
}

/** A hook fired when the status changes into `status`. */
const HOOK_ON_ENTER: Partial<Record<ProcessStatus, HookName>> = {
  failed: 'onFailed',
  'given-up': 'onGivenUp',
  'split-brain': 'onSplitBrain',
  // Not safely recoverable is a failure to recover too: whoever on_failed pages should know.
  unsafe: 'onFailed',
};

/** Builds a plan, recording the status and adding the hook for a status entered now. */
export function makePlan(
  input: DecideInput,
  state: ProcessState,
  status: ProcessStatus,
  actions: Action[],
  summary: string,
): Plan {
  const hook = HOOK_ON_ENTER[status];
  const entering =
    input.state.status !== status &&
    hook !== undefined &&
    input.process.hooks[hook].length > 0 &&
    !input.attempts.hooksRun.includes(hook);
  const hookActions: Action[] = entering
    ? [{ type: 'hook', hook, fromHost: state.activeHost, toHost: null, reason: summary }]
    : [];
  // The hook of a state entered now runs first, so a failing action after it cannot skip it.
  return {
    process: input.process.name,
    status,
    actions: [...hookActions, ...actions],
    summary: `${input.process.name}: ${summary}`,
    state: { ...state, status },
  };
}
