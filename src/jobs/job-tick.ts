/**
 * One tick of one job on the acting watcher: claim what is due in the shared
 * record (compare-and-set, fenced by leadership) before running anything, start
 * the run, and record its result. A claimed slot is never run again, by this
 * watcher or by the next leader after a takeover.
 */
import type { Logger } from '../log/logger.js';
import type { JournalEntry } from '../state/model.js';
import type { JobConfig } from './job-config.js';
import { runJobOnce, type JobRunContext } from './job-runner.js';
import type { JobRun, JobState } from './job-state.js';
import type { JobStore } from './job-store.js';
import { isBusy, nextSlot, planSlots, type SlotPlan } from './schedule.js';

/** A claimed run counts as over this long after its timeout, even if its runner died silently. */
export const RUN_DEADLINE_GRACE_MS = 5000;

export interface JobTickDeps extends JobRunContext {
  store: JobStore;
  watcherId: string;
  logger: Logger;
  recordJournal(entries: JournalEntry[]): Promise<void>;
  epoch?: string;
}

/** What a tick claimed: the run it started (to await) and what it skipped. */
export interface TickResult {
  run: Promise<JobRun> | null;
  skipped: SlotPlan['skipped'];
}

/** An ISO time without milliseconds, for journal lines. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Claims what is due and starts the run, if any; the returned promise settles when it is recorded. */
export async function tickJob(job: JobConfig, deps: JobTickDeps): Promise<TickResult> {
  const now = deps.now();
  let plan: SlotPlan = { run: null, skipped: [], claim: null };
  let manual = false;
  const claimed = await deps.store.update(
    job.name,
    (state) => {
      manual = state.request !== null && !isBusy(state, now);
      plan = manual ? { run: null, skipped: [], claim: null } : planSlots(job, state, now);
      if (!manual && plan.claim === null) return null;
      const runs = manual || plan.run !== null;
      return {
        ...state,
        lastSlot: plan.claim ?? state.lastSlot,
        counters: { ...state.counters, skipped: state.counters.skipped + plan.skipped.length },
        running: runs
          ? {
              slot: plan.run,
              startedAt: now,
              by: deps.watcherId,
              deadline: now + job.timeoutMs + RUN_DEADLINE_GRACE_MS,
            }
          : state.running,
        request: manual ? null : state.request,
      };
    },
    { fenced: true },
  );
  if (claimed === null) return { run: null, skipped: [] };
  if (plan.skipped.length > 0)
    await deps.recordJournal(plan.skipped.map((s) => skippedEntry(job, s, now, deps)));
  if (!manual && plan.run === null) return { run: null, skipped: plan.skipped };
  const slot = manual ? null : plan.run;
  deps.logger.info(`job ${job.name}: running ${slot === null ? 'now (run-job)' : `slot ${iso(slot)}`}`, {
    job: job.name,
  });
  const lastHost = claimed.lastRun?.host ?? null;
  return { run: runAndRecord(job, slot, now, manual, lastHost, deps), skipped: plan.skipped };
}

/** Runs the claimed slot and writes its result into the record and the journal. */
async function runAndRecord(
  job: JobConfig,
  slot: number | null,
  claimedAt: number,
  manual: boolean,
  lastHost: string | null,
  deps: JobTickDeps,
): Promise<JobRun> {
  const done = await runJobOnce(job, slot, deps, lastHost);
  // A run that outlasts its period is reported: the slots due meanwhile were skipped or queued.
  const next = slot === null ? null : nextSlot(job.timing, slot);
  const outlasted = slot !== null && next !== null && done.durationMs > next - slot;
  const late = outlasted ? `; outlasted its period (overlap = ${job.overlap})` : '';
  const run: JobRun = { ...done, reason: `${done.reason}${late}`, ...(manual ? { manual } : {}) };
  // Not fenced: the result of a run we claimed is recorded even if leadership moved meanwhile.
  await deps.store.update(job.name, (state) => finishRun(state, run, claimedAt, deps.watcherId), {
    fenced: false,
  });
  await deps.recordJournal([runEntry(job, run, deps)]);
  const line = `job ${job.name}: ${run.reason} (${run.durationMs} ms)`;
  if (run.ok) deps.logger.info(line, { job: job.name });
  else deps.logger.warn(line, { job: job.name });
  return run;
}

/** The record after `run`; the claim is cleared only if it is still ours. */
export function finishRun(state: JobState, run: JobRun, claimedAt: number, watcherId: string): JobState {
  const ours = state.running?.by === watcherId && state.running.startedAt === claimedAt;
  return {
    ...state,
    running: ours ? null : state.running,
    lastRun: run,
    failuresInRow: run.ok ? 0 : state.failuresInRow + 1,
    counters: {
      ...state.counters,
      runs: state.counters.runs + 1,
      failures: state.counters.failures + (run.ok ? 0 : 1),
    },
  };
}

/** The journal line of one run. */
function runEntry(job: JobConfig, run: JobRun, deps: JobTickDeps): JournalEntry {
  const when = run.slot === null ? 'run-job' : `slot ${iso(run.slot)}`;
  return {
    at: run.finishedAt,
    process: job.name,
    event: 'job',
    host: run.host,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    ok: run.ok,
    reason: `${when}: ${run.reason}`,
    ...(run.outputTail ? { output: run.outputTail } : {}),
    ...(deps.epoch ? { epoch: deps.epoch } : {}),
  };
}

/** The journal line of a slot passed over. */
function skippedEntry(
  job: JobConfig,
  skipped: SlotPlan['skipped'][number],
  at: number,
  deps: JobTickDeps,
): JournalEntry {
  const why =
    skipped.why === 'missed'
      ? `missed: more than catch_up (${Math.round(job.catchUpMs / 1000)} s) late`
      : 'skipped: the previous run is still running (overlap = skip)';
  return {
    at,
    process: job.name,
    event: 'job-skipped',
    host: null,
    reason: `slot ${iso(skipped.slot)} ${why}`,
    ...(deps.epoch ? { epoch: deps.epoch } : {}),
  };
}
