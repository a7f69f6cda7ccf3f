/**
 * The status report: what `ha-valet status --json`, `GET /status`, the status
 * page, `ha-valet nagios` and the metrics are all rendered from.
 *
 * Stable JSON schema, `schemaVersion: 1`. Fields are only ever added within a
 * schema version; a rename or removal bumps it. Times are epoch milliseconds,
 * ages and durations are milliseconds, absent values are `null` (never omitted).
 *
 * ```
 * StatusReport {
 *   schemaVersion: 1
 *   generatedAt: number                 // when the report was built
 *   configFile: string
 *   source: 'probe' | 'state'           // fresh checks, or the watcher's last ones
 *   overall: 'ok' | 'warning' | 'critical' | 'unknown'   // as the Nagios plugin sees it
 *   summary: { total: number; up: number; byState: { [state]: number } }
 *   watcher: null | { alive, pid, heartbeatAt, heartbeatAgeMs, configMatches,
 *                     scheduleLag: null | { lagging, total, worstMs, worstProcess },   // cycles begun late
 *                     checksDone: number | null }   // checks made since the watcher started
 *   coordination: null | { backend, ok, leader, leaderSince, message, members? }
 *   problems: string[]                  // one sentence each, worst first
 *   checks: null | Array<{ check: 'state-dir-writable' | 'host-reachable' | 'command-executable';
 *                          target: string; ok: boolean; detail: string }>   // status --full only
 *   processes: ProcessReport[]          // in config (start) order
 * }
 * ProcessReport {
 *   name: string
 *   state: 'up' | 'down' | 'waiting' | 'failed' | 'given-up' | 'maintenance' | 'latched' | 'split-brain' | 'unsafe' | 'unknown'
 *   recordedStatus: string | null       // the status the watcher recorded after its last pass
 *   downSince: number | null            // since when no instance has been seen up
 *   severity: 'ok' | 'warning' | 'critical' | 'unknown'
 *   summary: string                     // one sentence: "up on Host_B (priority 1), not on preferred Host_A"
 *   running: boolean                    // some host was last seen up
 *   activeHost: string | null           // the host the service runs on (seen up), else the recorded one
 *   activeRank: number | null           // its place in the stand-by list, 1 = preferred
 *   activePriority: number | null       // its test exit code read as a priority, 1 = best
 *   upHosts: string[]                   // every host seen up (more than one = split brain)
 *   preferredHost: string               // rank 1 of the stand-by list
 *   degraded: { notOnPreferredHost: boolean; unreachableStandbys: string[] }
 *   lastCheckAt: number | null          // newest observation of any host
 *   lastCheckAgeMs: number | null
 *   hosts: HostReport[]                 // every candidate, by rank
 *   lastAction: null | { type, host, ok, reason, at, ageMs }
 *   restarts: { inWindow: number; max: number; windowMs: number }
 *   flags: { maintenance: boolean; latched: boolean; givenUpAt: number | null;
 *            pendingRequest: null | { type, host, by, at } }
 *   counters: { starts, failovers, failedStarts, stops }
 *   vip: null | { address, cidr, holders: string[], expectedHost: string | null,
 *                 unknownHosts: string[], problem: string | null, checkedAt: number | null }  // with `vip`
 *   hostsEntry: null | { name, file, clients: string[], address: string | null,
 *                        failed: Array<{ host, reason }>, updatedAt: number | null }  // with `hosts_entry`
 *   disagreement: string | null         // where this watcher and the quorum of watchers disagree (WARNING)
 *   unsafe: string | null               // state 'unsafe': why no failover is safely possible
 *   lastFence: null | { host, ok, command, exitCode, durationMs, reason, at, ageMs }
 *   fences: { [host]: { ok: number; failed: number } }   // fences run per host
 * }
 * HostReport {
 *   host: string; rank: number; transport: 'local' | 'ssh'; active: boolean
 *   observation: null | { kind: 'up' | 'down' | 'unreachable' | 'error'; priority: number | null;
 *                         reason: string | null; exitCode: number | null; at: number;
 *                         ageMs: number; durationMs: number }
 *   badChecks: number; failedStarts: number; retryAfter: number | null; upSince: number | null
 *   earlyDeaths: number
 *   lastFailure: null | { kind: 'start-failed' | 'died-early' | 'died'; at: number; reason: string }
 * }
 * ```
 */
import type { JobReport } from '../jobs/job-status.js';
import type { ObservationKind } from '../probe/observation.js';
import type { Transport } from '../config/model.js';
import type { CoordinationHealth } from '../coord/coordinator.js';
import type { FullCheck } from './full-checks.js';
import type { FenceRecord, HostFailure, ProcessStatus } from '../state/model.js';

export const STATUS_SCHEMA_VERSION = 1;

/** Every state a process can be reported in, in display order (the states of src/state/model.ts). */
export const PROCESS_STATUS_NAMES = [
  'up',
  'down',
  'waiting',
  'failed',
  'given-up',
  'maintenance',
  'latched',
  'split-brain',
  'unsafe',
  'unknown',
] as const satisfies readonly ProcessStatus[];
export type ProcessStatusName = ProcessStatus;

/** Monitoring severities, in the order of the Nagios exit codes 0..3. */
export const SEVERITIES = ['ok', 'warning', 'critical', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ObservationStatus {
  kind: ObservationKind;
  priority: number | null;
  reason: string | null;
  exitCode: number | null;
  at: number;
  ageMs: number;
  durationMs: number;
}

export interface HostReport {
  host: string;
  rank: number;
  transport: Transport;
  active: boolean;
  observation: ObservationStatus | null;
  badChecks: number;
  failedStarts: number;
  retryAfter: number | null;
  upSince: number | null;
  /** Deaths within min_uptime of a verified start, in a row (issue 11). */
  earlyDeaths: number;
  /** The host's last failed start or death, in words. */
  lastFailure: HostFailure | null;
}

export interface ActionStatus {
  type: string;
  host: string | null;
  ok: boolean;
  reason: string;
  at: number;
  ageMs: number;
}

export interface ProcessReport {
  name: string;
  state: ProcessStatusName;
  recordedStatus: string | null;
  downSince: number | null;
  severity: Severity;
  summary: string;
  running: boolean;
  activeHost: string | null;
  activeRank: number | null;
  activePriority: number | null;
  upHosts: string[];
  preferredHost: string;
  degraded: { notOnPreferredHost: boolean; unreachableStandbys: string[] };
  lastCheckAt: number | null;
  lastCheckAgeMs: number | null;
  hosts: HostReport[];
  lastAction: ActionStatus | null;
  restarts: { inWindow: number; max: number; windowMs: number };
  flags: {
    maintenance: boolean;
    latched: boolean;
    givenUpAt: number | null;
    pendingRequest: { type: string; host: string | null; by: string; at: number } | null;
  };
  counters: { starts: number; failovers: number; failedStarts: number; stops: number };
  /** The virtual IP of a process with `vip`, as the last pass left it; null without `vip`. */
  vip: VipStatus | null;
  /** The clients' hosts-file line of a process with `hosts_entry`; null without it. */
  hostsEntry: HostsEntryStatus | null;
  disagreement: string | null;
  unsafe: string | null;
  lastFence: FenceStatus | null;
  fences: Record<string, { ok: number; failed: number }>;
  /** A group's name (the unit is the group, issue 13); null for a single process. */
  group: string | null;
  /** A group's members in start order, with what each member's test said on each host; null otherwise. */
  members: MemberReport[] | null;
}

/** One member of a group, as its tests saw it on each host. */
export interface MemberReport {
  name: string;
  hosts: Array<{
    host: string;
    kind: ObservationKind | null;
    priority: number | null;
    reason: string | null;
  }>;
}

export interface HostsEntryStatus {
  name: string;
  file: string;
  clients: string[];
  /** The address the last pass pointed the name at (the active host), or null when never. */
  address: string | null;
  /** Clients that could not be updated, with why. */
  failed: Array<{ host: string; reason: string }>;
  updatedAt: number | null;
}

export interface VipStatus {
  address: string;
  cidr: string;
  /** Hosts seen holding the address after the last pass. */
  holders: string[];
  /** Where it belongs (the active host), or null when nobody should hold it or ha-valet leaves it alone. */
  expectedHost: string | null;
  /** Hosts whose holding could not be checked. */
  unknownHosts: string[];
  problem: string | null;
  /** When the holders were last checked, or null when never. */
  checkedAt: number | null;
}

export interface FenceStatus extends FenceRecord {
  ageMs: number;
}

/** How far behind its schedule the watcher runs (see src/watch/schedule-lag.ts). */
export interface ScheduleLagStatus {
  /** Processes whose last cycle began more than half an interval late. */
  lagging: number;
  total: number;
  worstMs: number;
  worstProcess: string | null;
}

export interface WatcherStatus {
  alive: boolean;
  pid: number | null;
  heartbeatAt: number | null;
  heartbeatAgeMs: number | null;
  configMatches: boolean | null;
  scheduleLag: ScheduleLagStatus | null;
  /** Checks made since the watcher started (those of steady watched processes too). */
  checksDone: number | null;
}

export interface StatusReport {
  schemaVersion: typeof STATUS_SCHEMA_VERSION;
  generatedAt: number;
  configFile: string;
  source: 'probe' | 'state';
  overall: Severity;
  summary: { total: number; up: number; byState: Record<ProcessStatusName, number> };
  watcher: WatcherStatus | null;
  coordination: CoordinationHealth | null;
  problems: string[];
  checks: FullCheck[] | null;
  processes: ProcessReport[];
  /** Job sections: last run, next run, last result (issue 15). */
  jobs: JobReport[];
}

/** The worse of two severities: critical > warning > unknown > ok (monitoring-plugins' max_state_alt). */
export function worseSeverity(a: Severity, b: Severity): Severity {
  const order: Severity[] = ['ok', 'unknown', 'warning', 'critical'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

/** The Nagios exit code of a severity. */
export function severityExitCode(severity: Severity): 0 | 1 | 2 | 3 {
  return SEVERITIES.indexOf(severity) as 0 | 1 | 2 | 3;
}
