/** The typed config of a job section: a command run on one host per time slot (issue 15). */
import type { SourceRef, SshSettings, Transport } from '../config/model.js';
import type { CronExpression } from './cron.js';

/** When a job's slots fall: every N ms (aligned to the epoch), or a cron expression (local time). */
export type JobTiming =
  { kind: 'every'; everyMs: number } | { kind: 'schedule'; cron: CronExpression; text: string };

/** What happens to a slot that comes due while the job's previous run still runs. */
export const OVERLAP_POLICIES = ['skip', 'queue'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** One host a job may run on, in preference order, with its rendered command. */
export interface JobCandidate {
  host: string;
  rank: number;
  transport: Transport;
  /** The `run` template rendered for this host; `{slot}` is filled in per run. */
  command: string;
}

export interface JobConfig {
  name: string;
  source: SourceRef;
  timing: JobTiming;
  candidates: JobCandidate[];
  transport: Transport;
  ssh: SshSettings;
  /** `timeout` (10 min): a run is killed after this long and counts as failed. */
  timeoutMs: number;
  /** `with`: run only on the host where this process is active. */
  withProcess: string | null;
  overlap: OverlapPolicy;
  /** `catch_up` (1 min): a slot missed by less than this (no leader, takeover) still runs, late. */
  catchUpMs: number;
  /** `warn_after` (3): Nagios warns after this many failed runs in a row. */
  warnAfter: number;
  /**
   * `sticky` (no): keep running on the host of the last run while it answers, instead of
   * going back to the most preferred one (ha_heartbeat without `--fallback`).
   */
  sticky: boolean;
}
