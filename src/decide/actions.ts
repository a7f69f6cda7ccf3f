/** What decide() asks act/ to do, and what act/ reports back. */
import type { ProcessState, ProcessStatus } from '../state/model.js';
import type { Observation } from '../probe/observation.js';

/** Hook lists of a process (keys of ProcessConfig.hooks). */
export type HookName = 'beforeFailover' | 'afterFailover' | 'onFailed' | 'onGivenUp' | 'onSplitBrain';

/** Start on `host` and verify it comes up; on failure run its stop command and report why. */
export interface StartAction {
  type: 'start';
  host: string;
  /** The host the service ran on before, when this start is a failover (hooks run around it). */
  fromHost: string | null;
  failover: boolean;
  reason: string;
  /** Why more preferred hosts were passed over ('Host_A: unreachable: …; …'), if any. */
  skipped?: string;
  /** How the service went down, when this pass saw it die (`died 3 s after its start on B`). */
  cause?: string;
}

/** Stop `host` and verify it went down. */
export interface StopAction {
  type: 'stop';
  host: string;
  reason: string;
}

/** Start on `host`, verify, then stop `fromHosts` (failback and operator move). */
export interface SwitchoverAction {
  type: 'switchover';
  host: string;
  fromHosts: string[];
  reason: string;
  /** Set for `move`/`start --on`: an operator's choice neither arms the latch nor counts as a failover. */
  operator?: boolean;
  /** A group's switchover: stop the old hosts first, then start (its resources cannot be on two hosts). */
  stopFirst?: boolean;
}

/** Run one hook list in order. */
export interface HookAction {
  type: 'hook';
  hook: HookName;
  /** Set on the on_split_brain run that reports a healed split brain. */
  healed?: boolean;
  fromHost: string | null;
  toHost: string | null;
  reason: string;
}

/**
 * Fence `host` (its section's `fence` command, run on this watcher's machine) before
 * failing over from it, because its instance is not confirmed down (issue 12).
 */
export interface FenceAction {
  type: 'fence';
  host: string;
  reason: string;
}

export type Action = StartAction | StopAction | SwitchoverAction | HookAction | FenceAction;

/** Why a start is held back: check_count, priority wait, back-off, flap damping, no candidate, quorum, fence. */
export const HOLD_BOUNDS = [
  'check_count',
  'priority_wait',
  'backoff',
  'flap_damping',
  'no_candidate',
  'failover_aborted',
  /** Too few live watchers agree the process is not up (issue 12). */
  'quorum',
  /** The active host is not confirmed down and could not be fenced: `unsafe` (issue 12). */
  'fence',
] as const;
export type HoldBound = (typeof HOLD_BOUNDS)[number];

/** What keeps a down process from being started now, and until when (null: until something changes). */
export interface StartHold {
  bound: HoldBound;
  until: number | null;
}

/** What one pass decided for one process. */
export interface Plan {
  process: string;
  status: ProcessStatus;
  actions: Action[];
  /** One sentence: the log line, the CLI line and a test oracle at once. */
  summary: string;
  /** The stored state with this decision's bookkeeping applied (not the actions' results). */
  state: ProcessState;
  /** Set when nothing is up and no start is planned: which bound holds the start back. */
  hold?: StartHold;
}

/** One member's step within a group's start or stop, for the journal. */
export interface MemberStep {
  member: string;
  step: 'start' | 'stop' | 'vip-remove';
  host: string;
  command: string;
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  reason: string;
}

/** The result of carrying out one action. */
export interface ActionOutcome {
  action: Action;
  ok: boolean;
  reason: string;
  /** The host's observation after the action (the last verify test), when one was taken. */
  observations: Observation[];
  durationMs: number;
  /** Exit code of the main command (start/stop), when it ran. */
  exitCode?: number | null;
  /** The action did not run at all: leadership was lost (or shutting down) before it began. */
  refused?: boolean;
  /** A required before_failover step failed, so the failover was abandoned before any start. */
  aborted?: boolean;
  /** Hosts stopped by a switchover (or a failed start's host), for state bookkeeping. */
  stoppedHosts?: string[];
  /**
   * A stop-first switchover (a group's) whose old hosts did not all stop: nothing was started,
   * so this is a failed stop of these hosts, not a failed start of the target.
   */
  notStoppedHosts?: string[];
  /** A group's member steps (start, stop, VIP removal), in the order they ran, for the journal. */
  memberSteps?: MemberStep[];
  /** Hook steps that ran, for the journal. */
  hookSteps?: Array<{
    hook: HookName;
    command: string;
    ok: boolean;
    exitCode: number | null;
    durationMs: number;
    reason: string;
  }>;
}

/** Failed or refused attempts within the current pass, per host, so decide moves on. */
export interface PassAttempts {
  startFailed: Record<string, string>;
  stopFailed: Record<string, string>;
  /** Fences that failed this pass, per fenced host (not retried within the pass). */
  fenceFailed?: Record<string, string>;
  /** Set when a before_failover step aborted the failover: no other host is tried this pass. */
  failoverAborted?: string;
  /** Hooks that already ran this pass, plus 'splitBrainHealed', so none fires twice. */
  hooksRun: Array<HookName | 'splitBrainHealed'>;
}

/** No attempts yet. */
export function noAttempts(): PassAttempts {
  return { startFailed: {}, stopFailed: {}, hooksRun: [] };
}
