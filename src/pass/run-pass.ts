/**
 * One reconcile pass over one process: fold the observations into the stored
 * state, then decide → act → record until decide has nothing left to do.
 * Level-triggered: a second pass over a settled world does nothing.
 */
import type { ProcessConfig } from '../config/model.js';
import { decide } from '../decide/decide.js';
import { isSteady } from '../decide/steady.js';
import { noAttempts, type Action, type ActionOutcome, type Plan, type StartHold } from '../decide/actions.js';
import { foldHostObservations, foldProbe } from '../decide/observe.js';
import { recordAttempt, recordOutcome } from '../decide/record.js';
import { executeAction } from '../act/execute-action.js';
import type { ActContext } from '../act/context.js';
import { PendingCleanups } from '../act/pending-cleanups.js';
import type { Observation } from '../probe/observation.js';
import type { MergedView } from '../quorum/merged-view.js';
import type { JournalEntry, ProcessState, ProcessStatus } from '../state/model.js';
import { cleanupEntry, deathEntry, outcomeEntries, transitionEntry } from './journal-entries.js';
import { summarizePass } from './summarize.js';

export interface PassDeps extends ActContext {
  /** Plan only: run the tests, never a start, stop or hook. */
  dryRun: boolean;
  /**
   * Whether a new action may begin (default: mayAct). A watcher that is stopping or
   * reloading begins nothing new, but lets the action in progress finish, hooks included.
   */
  mayStartAction?(): boolean;
  /** Where journal lines go (the journal of the state dir or etcd). */
  recordJournal(entries: JournalEntry[]): Promise<void>;
  /** Coordination epoch written into journal lines, when coordinated. */
  epoch?: string;
  /**
   * Reads what the other live watchers see now (coordination = etcd), before every decide
   * round: a pass with starts and fences takes seconds, and the peers keep looking meanwhile.
   */
  readView?(): Promise<MergedView | undefined>;
  /** Ask decide whether the process is steady after this pass (ProcessPassResult.steady). */
  wantSteady?: boolean;
}

export interface ProcessPassResult {
  process: string;
  status: ProcessStatus;
  summary: string;
  /** What the probe saw at the start of the pass, in candidate order. */
  observations: Observation[];
  /** Actions carried out (empty in a dry run). */
  outcomes: ActionOutcome[];
  /** In a dry run: what would have been done first. */
  planned: Action[];
  activeHost: string | null;
  state: ProcessState;
  /** When nothing is up and no start was made: the bound that holds it back, and until when. */
  hold: StartHold | null;
  /**
   * Asked for (wantSteady) and true: the pass did nothing, and no later pass would act or
   * change anything durable while the checks keep saying the same (decide/steady.ts).
   */
  steady?: boolean;
}

/** Replaces the observations of the hosts an action re-tested. */
function mergeObservations(current: Observation[], fresh: Observation[]): Observation[] {
  const byHost = new Map(current.map((o) => [o.host, o]));
  for (const observation of fresh) byHost.set(observation.host, observation);
  return [...byHost.values()];
}

/** Runs decide → act → record for `process` until settled; returns the pass result and new state. */
export async function runProcessPass(
  process: ProcessConfig,
  observed: Observation[],
  stored: ProcessState,
  deps: PassDeps,
): Promise<ProcessPassResult> {
  const probedAt = deps.now();
  const probed = foldProbe(process, stored, observed, probedAt);
  let state = probed.state;
  const death = probed.death;
  if (death !== null && !deps.dryRun) {
    deps.logger.warn(`${process.name}: ${death.reason}`, { process: process.name, host: death.host });
    await deps.recordJournal([deathEntry(process, death, deps.epoch)]);
  }
  let observations = observed;
  let attempts = noAttempts();
  const outcomes: ActionOutcome[] = [];
  let plan: Plan | null = null;
  /** The plan that entered the final status: its sentence says why (later rounds only restate it). */
  let entered: Plan | null = null;
  /** Cleanups of failed starts, running while the pass tries the next host. */
  const cleanups = new PendingCleanups();
  const actContext: ActContext = { ...deps, cleanups };
  /** Waits for the running cleanups; journals them and folds what their tests saw. */
  const settleCleanups = async (): Promise<void> => {
    const settled = await cleanups.drain();
    const now = deps.now();
    const seen = settled.flatMap((c) => (c.observation ? [c.observation] : []));
    state = foldHostObservations(state, seen, now);
    observations = mergeObservations(observations, seen);
    await deps.recordJournal(settled.map((c) => cleanupEntry(c, now, deps.epoch)));
  };
  const mayBegin = deps.mayStartAction ?? deps.mayAct;
  // Rounds that only wait for cleanups do not count: each cleanup follows a start that did.
  const maxRounds = process.candidates.length * 2 + 4;
  for (let round = 0; round < maxRounds; round++) {
    const view = await deps.readView?.();
    plan = decide({ process, observations, state, attempts, now: deps.now(), ...(view ? { view } : {}) });
    if (entered === null || entered.status !== plan.status) entered = plan;
    state = plan.state;
    if (plan.actions.length === 0 || deps.dryRun || !mayBegin()) {
      if (cleanups.size === 0 || !mayBegin()) break;
      // Nothing left to try: decide again on what the cleanups found (a failed start may be up).
      await settleCleanups();
      round--;
      continue;
    }
    let stopped = false;
    for (const action of plan.actions) {
      if (!mayBegin()) {
        stopped = true;
        break;
      }
      const outcome = await executeAction(actContext, process, action);
      outcomes.push(outcome);
      const now = deps.now();
      state = foldHostObservations(recordOutcome(process, state, outcome, now), outcome.observations, now);
      attempts = recordAttempt(attempts, outcome);
      observations = mergeObservations(observations, outcome.observations);
      await deps.recordJournal(outcomeEntries(process, outcome, now, deps.epoch));
      if (outcome.refused) stopped = true;
      if (stopped || (!outcome.ok && action.type !== 'hook')) break;
    }
    if (stopped) break;
  }
  if (cleanups.size > 0) await settleCleanups();
  const finalPlan = { ...plan!, summary: entered!.summary };
  const summary = deps.dryRun
    ? summarizeDryRun(finalPlan, process)
    : summarizePass(process.name, finalPlan, outcomes);
  if (!deps.dryRun && stored.status !== finalPlan.status) {
    deps.logger.info(
      `${process.name}: ${stored.status.toUpperCase()} -> ${finalPlan.status.toUpperCase()} (${summary})`,
      {
        process: process.name,
      },
    );
    await deps.recordJournal([
      transitionEntry(
        process,
        stored.status,
        finalPlan.status,
        summary,
        state.activeHost,
        deps.now(),
        deps.epoch,
      ),
    ]);
  }
  return {
    process: process.name,
    status: finalPlan.status,
    summary,
    observations: observed,
    outcomes,
    planned: deps.dryRun ? finalPlan.actions : [],
    activeHost: state.activeHost,
    state: deps.dryRun ? stored : state,
    hold: finalPlan.hold ?? null,
    ...(deps.wantSteady
      ? {
          steady:
            !deps.dryRun &&
            death === null &&
            outcomes.length === 0 &&
            finalPlan.actions.length === 0 &&
            isSteady(process, observed, stored, state, probedAt),
        }
      : {}),
  };
}

/** A dry run's line: the plan's sentence and the actions it would take (a group's member by member). */
function summarizeDryRun(plan: Plan, process: ProcessConfig): string {
  if (plan.actions.length === 0) return plan.summary;
  const names = process.members?.map((m) => m.name) ?? [];
  const stopped = [...(process.vip ? [`VIP ${process.vip.address}`] : []), ...[...names].reverse()];
  const start = (host: string) => `start on ${host}${names.length > 0 ? ` (${names.join(' → ')})` : ''}`;
  const stop = (host: string) => `stop on ${host}${names.length > 0 ? ` (${stopped.join(' → ')})` : ''}`;
  const steps = plan.actions.map((a) => {
    if (a.type === 'hook') return `run ${a.hook} hooks`;
    if (a.type === 'fence') return `fence ${a.host}`;
    if (a.type === 'stop') return stop(a.host);
    if (a.type === 'start') return start(a.host);
    if (names.length === 0) return `switchover on ${a.host}`;
    const old = a.fromHosts.map(stop).join(', ');
    return a.stopFirst
      ? `switch over: ${old}, then ${start(a.host)}`
      : `switch over: ${start(a.host)}, then ${old}`;
  });
  return `${plan.summary} [dry run: would ${steps.join(', then ')}]`;
}
