/**
 * Durable per-process state: what decide() remembers between passes.
 * Stored by a StateStore (src/state/state-store.ts); plain JSON-safe data.
 */
import type { Observation } from '../probe/observation.js';
import type { HostsEntryRecord, VipRecord } from './resource-records.js';

/**
 * The three ways an instance can be lost, each with its own words: its start failed (the start
 * command failed, or it never verified up), it died within `min_uptime` of a verified start, or it
 * died after running longer than that (src/decide/restart-policy.ts).
 */
export const FAILURE_KINDS = ['start-failed', 'died-early', 'died'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The last failure of one host: what happened, when, in words (`died 3 s after its start on B`). */
export interface HostFailure {
  kind: FailureKind;
  at: number;
  reason: string;
}

/** What ha-valet remembers about one candidate host of one process. */
export interface HostRecord {
  /** The last test result, with its time. */
  lastObservation: Observation | null;
  /** Consecutive checks that saw this host down or unreachable (for check_count). */
  badChecks: number;
  /** Consecutive failed starts on this host (for back-off). */
  failedStarts: number;
  /** Consecutive deaths within min_uptime of a verified start on this host (for back-off). */
  earlyDeaths: number;
  /** No start is tried on this host before this time (epoch ms), or null. */
  retryAfter: number | null;
  /** Since when this host has been seen up without a break (epoch ms), or null. */
  upSince: number | null;
  /** Since when this host has answered its test (up or down) without a break, or null. */
  reachableSince: number | null;
  /** When this host was last seen up since its last noted death (epoch ms), or null. */
  lastUpAt: number | null;
  /** The last start failure or death on this host, or null. */
  lastFailure: HostFailure | null;
  /** When this watcher last acted on the host (start, stop, fence): peers' older views of it do not count. */
  actedAt?: number | null;
  /** When a fence of this host succeeded; cleared once the host answers again (issue 12). */
  fencedAt?: number | null;
  /** Consecutive failed fences of this host, and when the next may run (back-off like failed starts). */
  fenceFailures?: number;
  fenceRetryAt?: number | null;
}

/** The last fence of a host, for status and the journal (issue 12). */
export interface FenceRecord {
  host: string;
  ok: boolean;
  command: string;
  exitCode: number | null;
  durationMs: number;
  /** Why it ran, and how it ended. */
  reason: string;
  at: number;
}

/** The last action carried out, for status. */
export interface LastAction {
  type: string;
  host: string | null;
  ok: boolean;
  reason: string;
  at: number;
}

/** The operator commands a watcher (or the command's own pass) carries out. */
export const OPERATOR_REQUESTS = [
  'move',
  'start',
  'stop',
  'maintenance-on',
  'maintenance-off',
  'reset',
] as const;
export type OperatorRequestType = (typeof OPERATOR_REQUESTS)[number];

/** An operator request waiting for the watcher to carry it out. */
export interface OperatorRequest {
  type: OperatorRequestType;
  host: string | null;
  by: string;
  at: number;
}

/** The states a process can be in, as status shows them. */
export const PROCESS_STATUSES = [
  'unknown',
  'up',
  'down',
  'waiting',
  'failed',
  'given-up',
  'maintenance',
  'latched',
  'split-brain',
  'unsafe',
] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export interface ProcessState {
  /** Format version of this record. */
  version: 1;
  /** The status after the last pass; transitions fire hooks and journal lines. */
  status: ProcessStatus;
  /** Since when no instance has been seen up (epoch ms), or null while one is up. */
  downSince: number | null;
  /** The host ha-valet believes runs the service, or null. */
  activeHost: string | null;
  /**
   * The last host an instance was known on: activeHost while set, kept when a reset,
   * a stop or maintenance clears activeHost, and cleared only once that host is
   * confirmed down or fenced. A start elsewhere fences it first (issue 12).
   */
  lastActiveHost?: string | null;
  /** When the instance on activeHost was started by us and verified (epoch ms), or null. */
  startedAt: number | null;
  /** When the service was last placed on activeHost: a verified start or switchover, or an operator's choice (for failback_delay). */
  placedAt: number | null;
  /** Times of recent starts, for flap damping (pruned to restart_window). */
  startTimes: number[];
  /** When the process entered given-up (epoch ms), or null. */
  givenUpAt: number | null;
  /** Set after a failover when `latch = true`; cleared by `reset`. */
  latched: boolean;
  /** Set by `maintenance on`: probe and report, never act. */
  maintenance: boolean;
  hosts: Record<string, HostRecord>;
  lastAction: LastAction | null;
  request: OperatorRequest | null;
  /** Counters for metrics. */
  counters: { starts: number; failovers: number; failedStarts: number; stops: number };
  /** Where the process's virtual IP was seen after the last pass (only with `vip`). */
  vip?: VipRecord;
  /** Where the clients' hosts-file line was pointed after the last pass (only with `hosts_entry`). */
  hostsEntry?: HostsEntryRecord;
  /**
   * What the watchers disagree on, as the last pass saw it (the leader's view against the
   * quorum's), e.g. '127.0.0.2 unreachable from this watcher, up for 2 of 3 watchers'; else null.
   */
  disagreement?: string | null;
  /** Why a failover is not safely possible now (status `unsafe`), else null. */
  unsafe?: string | null;
  /** The last fence run, if any. */
  lastFence?: FenceRecord | null;
  /** Fences run per host, for metrics. */
  fences?: Record<string, { ok: number; failed: number }>;
}

/** A fresh record for a process never seen before (or whose file was corrupt). */
export function emptyProcessState(): ProcessState {
  return {
    version: 1,
    status: 'unknown',
    downSince: null,
    activeHost: null,
    startedAt: null,
    placedAt: null,
    startTimes: [],
    givenUpAt: null,
    latched: false,
    maintenance: false,
    hosts: {},
    lastAction: null,
    request: null,
    counters: { starts: 0, failovers: 0, failedStarts: 0, stops: 0 },
  };
}

/** The host record for `host`, empty when never seen. */
export function hostRecord(state: ProcessState, host: string): HostRecord {
  return (
    state.hosts[host] ?? {
      lastObservation: null,
      badChecks: 0,
      failedStarts: 0,
      earlyDeaths: 0,
      retryAfter: null,
      upSince: null,
      reachableSince: null,
      lastUpAt: null,
      lastFailure: null,
    }
  );
}

/** One line of the append-only journal. */
export interface JournalEntry {
  /** Epoch ms. */
  at: number;
  process: string;
  /** e.g. 'start', 'stop', 'verify', 'hook', 'transition', 'operator', 'given-up'. */
  event: string;
  host?: string | null;
  command?: string;
  exitCode?: number | null;
  durationMs?: number;
  ok?: boolean;
  reason?: string;
  /** Who asked, for operator commands (user@host). */
  by?: string;
  /** Coordination epoch (etcd lease id / revision) of the actor, when coordinated. */
  epoch?: string;
  /** The tail of a job run's output. */
  output?: string;
  /** A group's member this line is about (`process` is then the group). */
  member?: string;
}
