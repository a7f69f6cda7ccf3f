/** What status, Nagios and metrics say about jobs (pure: config + records + now). */
import type { JobConfig } from './job-config.js';
import { emptyJobState, type JobState } from './job-state.js';
import { isBusy, nextRunAt } from './schedule.js';

export interface JobReport {
  name: string;
  /** 'every 30 s' or 'schedule 0 3 * * *'. */
  timing: string;
  withProcess: string | null;
  lastRun: {
    slot: number | null;
    host: string | null;
    startedAt: number;
    ok: boolean;
    exitCode: number | null;
    durationMs: number;
    reason: string;
    outputTail: string;
  } | null;
  nextRunAt: number | null;
  running: boolean;
  failuresInRow: number;
  counters: JobState['counters'];
  severity: 'ok' | 'warning';
  summary: string;
}

/** How the job's timing reads. */
function describeTiming(job: JobConfig): string {
  return job.timing.kind === 'every' ? `every ${job.timing.everyMs / 1000} s` : `schedule ${job.timing.text}`;
}

/** One job's report. */
export function buildJobReport(job: JobConfig, state: JobState | undefined, now: number): JobReport {
  const record = state ?? emptyJobState();
  const last = record.lastRun;
  const warning = record.failuresInRow >= job.warnAfter;
  const lastText = last ? `last run ${last.ok ? 'ok' : 'failed'} (${last.reason})` : 'never run';
  const summary = warning
    ? `${record.failuresInRow} failed runs in a row (warn_after ${job.warnAfter}); ${lastText}`
    : lastText;
  return {
    name: job.name,
    timing: describeTiming(job),
    withProcess: job.withProcess,
    lastRun: last && {
      slot: last.slot,
      host: last.host,
      startedAt: last.startedAt,
      ok: last.ok,
      exitCode: last.exitCode,
      durationMs: last.durationMs,
      reason: last.reason,
      outputTail: last.outputTail,
    },
    nextRunAt: nextRunAt(job, record, now),
    running: isBusy(record, now),
    failuresInRow: record.failuresInRow,
    counters: record.counters,
    severity: warning ? 'warning' : 'ok',
    summary,
  };
}

/** Every job's report, in config order. */
export function buildJobReports(
  jobs: JobConfig[],
  states: ReadonlyMap<string, JobState>,
  now: number,
): JobReport[] {
  return jobs.map((job) => buildJobReport(job, states.get(job.name), now));
}
