/**
 * What `watch --http ADDR` and `watch --metrics-file PATH` need, in one object
 * the watch loop owns: a long-lived StatusMetrics (its histogram fed by
 * `onCheck`), the report built from the loop's in-memory state, the HTTP
 * endpoint, and the textfile-collector writer.
 */
import type { Candidate, Config, ProcessConfig } from '../config/model.js';
import type { CoordinationHealth } from '../coord/coordinator.js';
import type { Observation } from '../probe/observation.js';
import type { Journal } from '../state/journal.js';
import type { ProcessState } from '../state/model.js';
import { startStatusServer, type StatusServer } from './http-server.js';
import { StatusMetrics, writeMetricsFile } from './metrics.js';
import { buildStatusReport } from './status-model.js';
import type { ScheduleLagStatus, StatusReport } from './status-schema.js';
import type { JobState } from '../jobs/job-state.js';
import { staleAfterMs } from './watcher-health.js';

export interface WatchReportingOptions {
  /** The config the loop runs now (it may reload). */
  config(): Config;
  /** The loop's current state per process. */
  states(): Map<string, ProcessState>;
  /** The jobs' last seen records. */
  jobStates?(): ReadonlyMap<string, JobState>;
  /** When the last pass finished (epoch ms), or null before the first. */
  lastPassAt(): number | null;
  /** How far behind schedule the cycles begin. */
  scheduleLag?(): ScheduleLagStatus;
  /** Checks made since the watcher started. */
  checksDone?(): number;
  /** Whether the loaded config is still the one on disk, or null when unknown. */
  configMatches?(): boolean | null;
  coordination?(): CoordinationHealth | undefined;
  journal?: Journal;
  now?: () => number;
  warn?(message: string): void;
}

export interface WatchReporting {
  readonly metrics: StatusMetrics;
  /** Pass as probeProcesses' `onCheck`: feeds the check-duration histogram. */
  onCheck(process: ProcessConfig, candidate: Candidate, observation: Observation): void;
  /** The report as `status --no-probe` would show it, from memory. */
  report(): StatusReport;
  /** Serves /status, /healthz, /metrics, /events and / until close(). */
  serve(listen: {
    host?: string;
    port: number;
    allowNonLoopback?: boolean;
    token?: string;
  }): Promise<StatusServer>;
  /** Writes the metrics atomically for node_exporter's textfile collector. */
  writeMetricsFile(file: string): Promise<void>;
}

/** Builds the reporting side of a watcher. */
export function createWatchReporting(options: WatchReportingOptions): WatchReporting {
  const metrics = new StatusMetrics();
  const now = options.now ?? Date.now;
  const health = () => {
    const at = options.lastPassAt();
    const limit = staleAfterMs(options.config().global.intervalMs);
    const ok = at !== null && now() - at <= limit;
    return {
      ok,
      pid: process.pid,
      lastPassAt: at,
      staleAfterMs: limit,
      ...(ok ? {} : { reason: at === null ? 'no pass finished yet' : 'last pass too long ago' }),
    };
  };
  const report = (): StatusReport => {
    const t = now();
    const matches = options.configMatches?.() ?? null;
    const coordination = options.coordination?.();
    return buildStatusReport({
      config: options.config(),
      states: options.states(),
      ...(options.jobStates ? { jobStates: options.jobStates() } : {}),
      now: t,
      watcher: {
        alive: health().ok,
        heartbeatAt: options.lastPassAt(),
        pid: process.pid,
        configMatches: matches,
        ...(options.scheduleLag ? { scheduleLag: options.scheduleLag() } : {}),
        ...(options.checksDone ? { checksDone: options.checksDone() } : {}),
      },
      ...(coordination ? { coordination } : {}),
    });
  };
  return {
    metrics,
    onCheck: (proc, candidate, observation) =>
      metrics.recordCheck(proc.name, candidate.host, observation.durationMs),
    report,
    serve: (listen) =>
      startStatusServer({
        ...listen,
        getStatus: report,
        getMetrics: () => metrics.render(report()),
        getEvents: async (limit) => (options.journal ? options.journal.read({ limit }) : []),
        health,
        warn: options.warn,
      }),
    writeMetricsFile: async (file) => writeMetricsFile(file, await metrics.render(report())),
  };
}
