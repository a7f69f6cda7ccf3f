/**
 * Durable per-process state: what decide() remembers between passes.
 * Stored by a StateStore (src/state/state-store.ts); plain JSON-safe data.
 */
import type { Observation } from '../probe/observation.js';
import type { HostsEntryRecord, VipRecord } from './resource-records.js';

/** What ha-valet remembers about one candidate host of one process. */
export interface HostRecord {
  /** The last test result, with its time. */
  lastObservation: Observation | null;
  /** Consecutive checks that saw this host down or unreachable (for check_count). */
  badChecks: number;
  /** Consecutive failed starts on this host (for back-off). */
  failedStarts: number;
  /** No start is tried on this host before this time (epoch ms), or null. */
  retryAfter: number | null;
  /** Since when this host has been seen up without a break (epoch ms), or null. */
  upSince: number | null;
  /** Since when this host has answered its test (up or down) without a break, or null. */
  reachableSince: number | null;
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
  /** When the instance on activeHost was started by us and verified (epoch ms), or null. */
  startedAt: number | null;
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
}

/** A fresh record for a process never seen before (or whose file was corrupt). */
export function emptyProcessState(): ProcessState {
  return {
    version: 1,
    status: 'unknown',
    downSince: null,
    activeHost: null,
    startedAt: null,
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
      retryAfter: null,
      upSince: null,
      reachableSince: null,
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
}
