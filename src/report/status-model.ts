/**
 * Builds the StatusReport (schema in status-schema.ts) from config, durable
 * state and, optionally, fresh observations. Pure: no I/O, no clock.
 */
import type { Config, ProcessConfig } from '../config/model.js';
import type { CoordinationHealth } from '../coord/coordinator.js';
import type { Observation } from '../probe/observation.js';
import { hostRecord, type ProcessState } from '../state/model.js';
import { describeAge } from './format.js';
import { buildJobReports } from '../jobs/job-status.js';
import type { JobState } from '../jobs/job-state.js';
import type { FullCheck } from './full-checks.js';
import {
  PROCESS_STATUS_NAMES,
  STATUS_SCHEMA_VERSION,
  worseSeverity,
  type HostReport,
  type MemberReport,
  type ProcessReport,
  type ProcessStatusName,
  type Severity,
  type StatusReport,
  type VipStatus,
  type ScheduleLagStatus,
  type WatcherStatus,
} from './status-schema.js';

export interface WatcherInput {
  alive: boolean;
  heartbeatAt: number | null;
  pid: number | null;
  configMatches: boolean | null;
  scheduleLag?: ScheduleLagStatus;
  /** Checks made since the watcher started. */
  checksDone?: number;
}

export interface StatusInput {
  config: Config;
  states: Map<string, ProcessState>;
  now: number;
  /** Fresh observations per process name; when absent the state's last ones are used. */
  observations?: Map<string, Observation[]>;
  watcher?: WatcherInput;
  coordination?: CoordinationHealth;
  /** Results of `status --full`. */
  checks?: FullCheck[];
  /** The jobs' shared records (jobs are reported when the config's `jobs` are given). */
  jobStates?: ReadonlyMap<string, JobState>;
}

/** Builds the whole report; processes keep config order. */
export function buildStatusReport(input: StatusInput): StatusReport {
  const { config, states, now } = input;
  const processes = config.processes.map((proc) =>
    buildProcessStatus(proc, states.get(proc.name), input.observations?.get(proc.name), now),
  );
  const byState = Object.fromEntries(PROCESS_STATUS_NAMES.map((name) => [name, 0])) as Record<
    ProcessStatusName,
    number
  >;
  for (const proc of processes) byState[proc.state] += 1;

  const problems: Array<{ severity: Severity; text: string }> = [];
  for (const proc of processes) {
    if (proc.severity !== 'ok')
      problems.push({ severity: proc.severity, text: `${proc.name}: ${proc.summary}` });
  }
  const watcher = input.watcher ? describeWatcher(input.watcher, now) : null;
  if (watcher && !watcher.alive) {
    const seen =
      watcher.heartbeatAt === null ? 'no heartbeat' : `last heartbeat ${describeAge(watcher.heartbeatAgeMs)}`;
    problems.push({ severity: 'warning', text: `watcher not running or stale (${seen})` });
  }
  if (watcher && watcher.configMatches === false) {
    problems.push({
      severity: 'warning',
      text: 'the watcher runs another config than the one on disk: restart or reload it',
    });
  }
  const lag = watcher?.alive ? watcher.scheduleLag : null;
  if (lag && lag.lagging > 0) {
    const worst = lag.worstProcess
      ? ` (worst: ${lag.worstProcess}, ${(lag.worstMs / 1000).toFixed(1)} s late)`
      : '';
    problems.push({
      severity: 'warning',
      text: `watcher falling behind: ${lag.lagging} of ${lag.total} processes checked late${worst}`,
    });
  }
  if (input.coordination && !input.coordination.ok) {
    // No watcher may act while coordination is lost: the service is not protected.
    const { message } = input.coordination;
    problems.push({
      severity: 'critical',
      text: message.startsWith('coordination') ? message : `coordination: ${message}`,
    });
  }
  for (const check of input.checks ?? []) {
    if (!check.ok)
      problems.push({ severity: 'warning', text: `${check.check} ${check.target}: ${check.detail}` });
  }
  const jobs = buildJobReports(config.jobs, input.jobStates ?? new Map(), now);
  for (const job of jobs) {
    if (job.severity !== 'ok')
      problems.push({ severity: job.severity, text: `job ${job.name}: ${job.summary}` });
  }
  if (processes.length === 0 && jobs.length === 0)
    problems.push({ severity: 'unknown', text: 'no process selected' });

  const rank: Severity[] = ['critical', 'warning', 'unknown', 'ok'];
  problems.sort((a, b) => rank.indexOf(a.severity) - rank.indexOf(b.severity));
  const overall = problems.reduce<Severity>((worst, p) => worseSeverity(worst, p.severity), 'ok');

  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: now,
    configFile: config.file,
    source: input.observations ? 'probe' : 'state',
    overall,
    summary: { total: processes.length, up: processes.filter((p) => p.running).length, byState },
    watcher,
    coordination: input.coordination ?? null,
    problems: problems.map((p) => p.text),
    checks: input.checks ?? null,
    processes,
    jobs,
  };
}

/** Adds the heartbeat age to the watcher input. */
function describeWatcher(watcher: WatcherInput, now: number): WatcherStatus {
  return {
    alive: watcher.alive,
    pid: watcher.pid,
    heartbeatAt: watcher.heartbeatAt,
    heartbeatAgeMs: watcher.heartbeatAt === null ? null : Math.max(0, now - watcher.heartbeatAt),
    configMatches: watcher.configMatches,
    scheduleLag: watcher.scheduleLag ?? null,
    checksDone: watcher.checksDone ?? null,
  };
}

/** Builds one process's status from its state and newest observations. */
export function buildProcessStatus(
  proc: ProcessConfig,
  state: ProcessState | undefined,
  fresh: Observation[] | undefined,
  now: number,
): ProcessReport {
  const hosts: HostReport[] = [...proc.candidates]
    .sort((a, b) => a.rank - b.rank)
    .map((candidate) => {
      const record = state ? hostRecord(state, candidate.host) : null;
      const obs = fresh?.find((o) => o.host === candidate.host) ?? record?.lastObservation ?? null;
      return {
        host: candidate.host,
        rank: candidate.rank,
        transport: candidate.transport,
        active: false,
        observation: obs && {
          kind: obs.kind,
          priority: obs.kind === 'up' ? (obs.priority ?? null) : null,
          reason: obs.reason ?? null,
          exitCode: obs.exitCode,
          at: obs.at,
          ageMs: Math.max(0, now - obs.at),
          durationMs: obs.durationMs,
        },
        badChecks: record?.badChecks ?? 0,
        failedStarts: record?.failedStarts ?? 0,
        retryAfter: record?.retryAfter ?? null,
        upSince: record?.upSince ?? null,
        earlyDeaths: record?.earlyDeaths ?? 0,
        lastFailure: record?.lastFailure ?? null,
      };
    });

  const up = hosts.filter((h) => h.observation?.kind === 'up');
  const recorded = state?.activeHost ?? null;
  // The leader recorded it up for a quorum of watchers that this view does not see up (issue 12).
  const upForQuorum =
    up.length === 0 && state?.status === 'up' && state.disagreement != null && recorded !== null;
  const activeEntry =
    up.find((h) => h.host === recorded) ??
    [...up].sort(
      (a, b) => (a.observation?.priority ?? 99) - (b.observation?.priority ?? 99) || a.rank - b.rank,
    )[0];
  const activeHost = activeEntry?.host ?? recorded;
  for (const h of hosts) h.active = h.host === activeHost && activeEntry !== undefined;

  const preferredHost = hosts[0]?.host ?? proc.host;
  const unreachableStandbys = hosts
    .filter(
      (h) =>
        h.host !== activeHost && (h.observation?.kind === 'unreachable' || h.observation?.kind === 'error'),
    )
    .map((h) => h.host);
  const degraded = {
    notOnPreferredHost: activeEntry !== undefined && activeEntry.host !== preferredHost,
    unreachableStandbys: activeEntry !== undefined ? unreachableStandbys : [],
  };
  const checkTimes = hosts.flatMap((h) => (h.observation ? [h.observation.at] : []));
  const lastCheckAt = checkTimes.length > 0 ? Math.max(...checkTimes) : null;
  const lastAction = state?.lastAction
    ? { ...state.lastAction, ageMs: Math.max(0, now - state.lastAction.at) }
    : null;

  const status: ProcessReport = {
    name: proc.name,
    state: 'unknown',
    recordedStatus: state?.status ?? null,
    downSince: state?.downSince ?? null,
    severity: 'unknown',
    summary: '',
    running: up.length > 0 || upForQuorum,
    activeHost,
    activeRank: activeEntry?.rank ?? null,
    activePriority: activeEntry?.observation?.priority ?? null,
    upHosts: up.map((h) => h.host),
    preferredHost,
    degraded,
    lastCheckAt,
    lastCheckAgeMs: lastCheckAt === null ? null : Math.max(0, now - lastCheckAt),
    hosts,
    lastAction,
    restarts: {
      inWindow: (state?.startTimes ?? []).filter((t) => t > now - proc.restartWindowMs && t <= now).length,
      max: proc.maxRestarts,
      windowMs: proc.restartWindowMs,
    },
    flags: {
      maintenance: state?.maintenance ?? false,
      latched: state?.latched ?? false,
      givenUpAt: state?.givenUpAt ?? null,
      pendingRequest: state?.request ?? null,
    },
    counters: { ...(state?.counters ?? { starts: 0, failovers: 0, failedStarts: 0, stops: 0 }) },
    vip: describeVip(proc, state),
    hostsEntry: proc.hostsEntry
      ? {
          name: proc.hostsEntry.name,
          file: proc.hostsEntry.file,
          clients: proc.hostsEntry.clients,
          address: state?.hostsEntry?.address ?? null,
          failed: state?.hostsEntry?.failed ?? [],
          updatedAt: state?.hostsEntry?.at ?? null,
        }
      : null,
    disagreement: state?.disagreement ?? null,
    unsafe: state?.status === 'unsafe' ? (state.unsafe ?? null) : null,
    lastFence: state?.lastFence ? { ...state.lastFence, ageMs: Math.max(0, now - state.lastFence.at) } : null,
    fences: { ...(state?.fences ?? {}) },
    group: proc.members ? proc.name : null,
    members: describeMembers(proc, hosts, state, fresh),
  };
  status.state = classifyProcess(status);
  status.severity = rateProcess(status);
  status.summary = summarizeProcess(status);
  return status;
}

/** A group's members per host, from the group's observation of each host (null for a single process). */
function describeMembers(
  proc: ProcessConfig,
  hosts: HostReport[],
  state: ProcessState | undefined,
  fresh: Observation[] | undefined,
): MemberReport[] | null {
  if (!proc.members) return null;
  const seen = hosts.map((h) => ({
    host: h.host,
    members:
      (fresh?.find((o) => o.host === h.host) ?? (state ? hostRecord(state, h.host).lastObservation : null))
        ?.members ?? [],
  }));
  return proc.members.map((member) => ({
    name: member.name,
    hosts: seen.map(({ host, members }) => {
      const m = members.find((x) => x.name === member.name);
      return { host, kind: m?.kind ?? null, priority: m?.priority ?? null, reason: m?.reason ?? null };
    }),
  }));
}

/** The VIP as the last pass recorded it (a VIP never checked yet reports no holders). */
function describeVip(proc: ProcessConfig, state: ProcessState | undefined): VipStatus | null {
  if (!proc.vip) return null;
  const seen = state?.vip?.address === proc.vip.address ? state.vip : undefined;
  return {
    address: proc.vip.address,
    cidr: proc.vip.cidr,
    holders: seen?.holders ?? [],
    expectedHost: seen?.expectedHost ?? null,
    unknownHosts: (seen?.unknown ?? []).map((u) => u.host),
    problem: seen ? seen.problem : 'not checked yet',
    checkedAt: seen?.at ?? null,
  };
}

/** Picks the one state name; split brain first, then operator flags, then what was seen. */
export function classifyProcess(s: ProcessReport): ProcessStatusName {
  if (s.upHosts.length > 1) return 'split-brain';
  if (s.flags.maintenance) return 'maintenance';
  if (s.flags.givenUpAt !== null) return 'given-up';
  if (s.flags.latched) return 'latched';
  // Not safely recoverable for the watchers, whatever this view sees: a failover could not happen.
  if (s.recordedStatus === 'unsafe') return 'unsafe';
  if (s.running) return 'up';
  const reliable = s.hosts.some((h) => h.observation?.kind === 'down');
  if (!reliable) return 'unknown';
  const startFailed = s.lastAction !== null && !s.lastAction.ok;
  if (startFailed || s.recordedStatus === 'failed' || s.hosts.some((h) => h.failedStarts > 0))
    return 'failed';
  return s.recordedStatus === 'waiting' ? 'waiting' : 'down';
}

/** 'VIP 10.0.0.50 on Host_B', with what is wrong when something is. */
function describeVipPlace(vip: VipStatus): string {
  const where = vip.holders.length > 0 ? `on ${vip.holders.join(' and ')}` : 'on no host';
  return `VIP ${vip.address} ${where}${vip.problem ? ` (${vip.problem})` : ''}`;
}

/** The monitoring severity of one process. */
export function rateProcess(s: ProcessReport): Severity {
  switch (s.state) {
    case 'up':
      return s.degraded.notOnPreferredHost ||
        s.degraded.unreachableStandbys.length > 0 ||
        s.disagreement ||
        s.vip?.problem ||
        (s.hostsEntry?.failed.length ?? 0) > 0
        ? 'warning'
        : 'ok';
    case 'maintenance':
      return 'warning';
    case 'latched':
      return s.running ? 'warning' : 'critical';
    case 'unknown':
      return 'unknown';
    default:
      return 'critical';
  }
}

/** One sentence saying what is going on with a process. */
export function summarizeProcess(s: ProcessReport): string {
  const where = s.running
    ? `up on ${s.activeHost}${s.activePriority !== null ? ` (priority ${s.activePriority})` : ''}`
    : 'not running';
  const extras: string[] = [];
  if (s.degraded.notOnPreferredHost) extras.push(`not on preferred ${s.preferredHost}`);
  for (const host of s.degraded.unreachableStandbys) {
    const obs = s.hosts.find((h) => h.host === host)?.observation;
    extras.push(`stand-by ${host} ${obs?.kind ?? 'unreachable'}${obs?.reason ? ` (${obs.reason})` : ''}`);
  }
  if (s.disagreement) extras.push(`watchers disagree: ${s.disagreement}`);
  if (s.vip) extras.push(describeVipPlace(s.vip));
  const failedClients = s.hostsEntry?.failed ?? [];
  if (failedClients.length > 0)
    extras.push(
      `${s.hostsEntry!.name} not updated on ${failedClients.map((f) => `${f.host} (${f.reason})`).join(', ')}`,
    );
  const tail = extras.length > 0 ? `, ${extras.join(', ')}` : '';
  const failed = s.lastAction && !s.lastAction.ok ? s.lastAction : null;
  switch (s.state) {
    case 'up':
      return `${where}${tail}`;
    case 'split-brain':
      return `split brain: up on ${s.upHosts.join(' and ')}`;
    case 'maintenance':
      return `in maintenance, ha-valet does not act; ${where}${tail}`;
    case 'given-up':
      return `given up: more than ${s.restarts.max} starts within ${Math.round(s.restarts.windowMs / 1000)} s, ha-valet does not act until retry or reset; ${where}`;
    case 'latched':
      return `latched after a failover: ha-valet does not act until reset; ${where}${tail}`;
    case 'failed':
      return failed
        ? `failed: ${failed.type} on ${failed.host ?? 'no host'} failed (${failed.reason})`
        : `failed: not running, starts failed on ${s.hosts
            .filter((h) => h.failedStarts > 0)
            .map((h) => h.host)
            .join(', ')}`;
    case 'unsafe':
      return s.unsafe ?? 'not safely recoverable: a failover would need a fence first';
    case 'waiting':
      if (s.disagreement) return `waiting: ${s.disagreement}`;
      return `waiting to start (back-off or priority wait): no host up (${hostWords(s)})${lastFailureWords(s)}`;
    case 'down':
      return `down: no host up (${hostWords(s)})${lastFailureWords(s)}`;
    case 'unknown': {
      if (s.lastCheckAt === null) return 'unknown: never checked';
      const why = s.hosts.map(
        (h) =>
          `${h.host} ${h.observation?.kind ?? 'unchecked'}${h.observation?.reason ? ` (${h.observation.reason})` : ''}`,
      );
      return `unknown: no host could be checked (${why.join(', ')})`;
    }
  }
}

/** `A down, B unreachable`; a group's partial host with its members (`A down (partial: role up, nfs down)`). */
function hostWords(s: ProcessReport): string {
  return s.hosts
    .map((h) => {
      const reason = h.observation?.reason;
      const partial = s.members && reason?.startsWith('partial:') ? ` (${reason})` : '';
      return `${h.host} ${h.observation?.kind ?? 'unchecked'}${partial}`;
    })
    .join(', ');
}

/** `; last: died within 1 s of its start on A` (`A: start failed, exit 1`): the latest failure, or ''. */
function lastFailureWords(s: ProcessReport): string {
  const failures = s.hosts.flatMap((h) => (h.lastFailure ? [{ host: h.host, ...h.lastFailure }] : []));
  if (failures.length === 0) return '';
  const latest = failures.reduce((a, b) => (b.at > a.at ? b : a));
  const where = latest.kind === 'start-failed' ? `${latest.host}: ` : '';
  return `; last: ${where}${latest.reason}`;
}
