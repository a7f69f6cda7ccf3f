/**
 * Prometheus metrics (prom-client, on a private Registry, never the global one):
 * gauges and counters set from a StatusReport, plus a check-duration histogram
 * fed by the watcher as checks finish. Served at GET /metrics and written for
 * node_exporter's textfile collector by writeMetricsFile.
 */
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PROCESS_STATUS_NAMES, SEVERITIES, type StatusReport } from './status-schema.js';

/** The Content-Type of the text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const CHECK_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type ProcessLabel = 'process';
type FenceLabels = 'process' | 'host' | 'result';
type HostLabels = 'process' | 'host';

/** All ha-valet metrics on one private registry. */
export class StatusMetrics {
  readonly registry = new Registry();
  private readonly checkDuration: Histogram<HostLabels>;
  private readonly gauges: Record<string, Gauge<string>> = {};
  private readonly counters: Record<string, Counter<ProcessLabel>> = {};
  private readonly jobCounters: Record<string, Counter<'job'>> = {};
  private readonly fences: Counter<FenceLabels>;

  constructor() {
    const registers = [this.registry];
    this.checkDuration = new Histogram({
      name: 'ha_valet_check_duration_seconds',
      help: 'Duration of test commands, per process and host.',
      labelNames: ['process', 'host'],
      buckets: CHECK_BUCKETS_SECONDS,
      registers,
    });
    const gauge = (name: string, help: string, labelNames: string[]): void => {
      this.gauges[name] = new Gauge({ name, help, labelNames, registers });
    };
    gauge('ha_valet_process_up', '1 when the service was last seen up on some host.', ['process']);
    gauge('ha_valet_process_state', '1 for the state the process is in, 0 for the others.', [
      'process',
      'state',
    ]);
    gauge('ha_valet_process_severity', 'Monitoring severity: 0 ok, 1 warning, 2 critical, 3 unknown.', [
      'process',
    ]);
    gauge('ha_valet_given_up', '1 while the process is given up (too many restarts).', ['process']);
    gauge('ha_valet_maintenance', '1 while the process is in maintenance.', ['process']);
    gauge('ha_valet_latched', '1 while the process is latched after a failover.', ['process']);
    gauge('ha_valet_restarts_in_window', 'Starts within restart_window.', ['process']);
    gauge('ha_valet_host_up', '1 when the last check saw the service up on this host.', ['process', 'host']);
    gauge('ha_valet_host_active', '1 on the host the service is active on.', ['process', 'host']);
    gauge('ha_valet_host_priority', 'Priority read from the last check (1 = best), 0 when not up.', [
      'process',
      'host',
    ]);
    gauge('ha_valet_host_rank', 'Place of the host in the stand-by list (1 = preferred).', [
      'process',
      'host',
    ]);
    gauge('ha_valet_host_last_check_age_seconds', 'Age of the last check of this host.', ['process', 'host']);
    gauge('ha_valet_host_last_check_timestamp_seconds', 'When this host was last checked.', [
      'process',
      'host',
    ]);
    gauge('ha_valet_vip_held', "1 on each host seen holding the process's virtual IP.", [
      'process',
      'address',
      'host',
    ]);
    gauge('ha_valet_vip_ok', '1 when the virtual IP is held exactly where it belongs.', [
      'process',
      'address',
    ]);
    gauge(
      'ha_valet_group_member_up',
      '1 when the last check saw this member of a group up on this host (process = the group).',
      ['process', 'member', 'host'],
    );
    gauge('ha_valet_watcher_up', '1 when the watcher heartbeat is fresh.', []);
    gauge('ha_valet_watcher_heartbeat_age_seconds', 'Age of the watcher heartbeat.', []);
    gauge('ha_valet_watcher_config_matches', '1 when the watcher runs the config on disk.', []);
    gauge('ha_valet_watcher_info', 'Watcher identity; the value is always 1.', ['pid', 'config_file']);
    gauge('ha_valet_watcher_schedule_lag_seconds', 'How late the latest cycles began (worst process).', []);
    gauge(
      'ha_valet_watcher_processes_lagging',
      'Processes whose last cycle began over half an interval late.',
      [],
    );
    gauge(
      'ha_valet_watcher_checks_done',
      'Checks the watcher made since it started, those of steady processes the connect helper watches included (ha_valet_check_duration_seconds counts only the checks a cycle ran on).',
      [],
    );
    gauge('ha_valet_coordination_ok', '1 while the coordination backend is healthy.', ['backend']);
    gauge('ha_valet_report_timestamp_seconds', 'When these figures were computed.', []);
    const counter = (name: string, help: string): void => {
      this.counters[name] = new Counter({ name, help, labelNames: ['process'], registers });
    };
    counter('ha_valet_starts_total', 'Starts carried out.');
    counter('ha_valet_failovers_total', 'Failovers to another host.');
    counter('ha_valet_failures_total', 'Failed starts.');
    counter('ha_valet_stops_total', 'Stops carried out.');
    const jobCounter = (name: string, help: string): void => {
      this.jobCounters[name] = new Counter({ name, help, labelNames: ['job'], registers });
    };
    jobCounter('ha_valet_job_runs_total', 'Runs of a job (scheduled and run-job).');
    jobCounter('ha_valet_job_failures_total', 'Failed runs of a job.');
    jobCounter(
      'ha_valet_job_skipped_total',
      'Slots of a job skipped (overlap) or missed (later than catch_up).',
    );
    gauge('ha_valet_job_failures_in_row', 'Failed runs of a job in a row.', ['job']);
    gauge('ha_valet_job_last_run_ok', '1 when the last run of the job succeeded.', ['job']);
    gauge('ha_valet_job_last_run_timestamp_seconds', 'When the last run of the job started.', ['job']);
    gauge('ha_valet_job_next_run_timestamp_seconds', 'When the job runs next.', ['job']);
    gauge('ha_valet_quorum_disagreement', '1 while this watcher and the quorum of watchers disagree.', [
      'process',
    ]);
    this.fences = new Counter({
      name: 'ha_valet_fences_total',
      help: 'Fences run before a failover, per fenced host and result (ok, failed).',
      labelNames: ['process', 'host', 'result'],
      registers,
    });
  }

  /** Records one finished test command for the histogram. */
  recordCheck(process: string, host: string, durationMs: number): void {
    this.checkDuration.observe({ process, host }, Math.max(0, durationMs) / 1000);
  }

  /** Sets every gauge and counter from the report and returns the text exposition. */
  async render(report: StatusReport): Promise<string> {
    this.update(report);
    return this.registry.metrics();
  }

  /** Replaces all report-derived values (processes that disappeared vanish). */
  update(report: StatusReport): void {
    for (const g of Object.values(this.gauges)) g.reset();
    for (const c of Object.values(this.counters)) c.reset();
    for (const c of Object.values(this.jobCounters)) c.reset();
    this.fences.reset();
    const set = (name: string, labels: Record<string, string>, value: number): void => {
      this.gauges[name]?.set(labels, value);
    };
    for (const proc of report.processes) {
      const p = { process: proc.name };
      set('ha_valet_process_up', p, proc.running ? 1 : 0);
      for (const state of PROCESS_STATUS_NAMES)
        set('ha_valet_process_state', { ...p, state }, proc.state === state ? 1 : 0);
      set('ha_valet_process_severity', p, SEVERITIES.indexOf(proc.severity));
      set('ha_valet_given_up', p, proc.state === 'given-up' ? 1 : 0);
      set('ha_valet_maintenance', p, proc.flags.maintenance ? 1 : 0);
      set('ha_valet_latched', p, proc.flags.latched ? 1 : 0);
      set('ha_valet_restarts_in_window', p, proc.restarts.inWindow);
      for (const host of proc.hosts) {
        const h = { process: proc.name, host: host.host };
        const obs = host.observation;
        set('ha_valet_host_up', h, obs?.kind === 'up' ? 1 : 0);
        set('ha_valet_host_active', h, host.active ? 1 : 0);
        set('ha_valet_host_priority', h, obs?.kind === 'up' ? (obs.priority ?? 0) : 0);
        set('ha_valet_host_rank', h, host.rank);
        if (obs) {
          set('ha_valet_host_last_check_age_seconds', h, obs.ageMs / 1000);
          set('ha_valet_host_last_check_timestamp_seconds', h, obs.at / 1000);
        }
      }
      if (proc.vip) {
        const v = { process: proc.name, address: proc.vip.address };
        for (const host of proc.hosts)
          set('ha_valet_vip_held', { ...v, host: host.host }, proc.vip.holders.includes(host.host) ? 1 : 0);
        set('ha_valet_vip_ok', v, proc.vip.problem === null ? 1 : 0);
      }
      for (const member of proc.members ?? []) {
        for (const h of member.hosts)
          set(
            'ha_valet_group_member_up',
            { ...p, member: member.name, host: h.host },
            h.kind === 'up' ? 1 : 0,
          );
      }
      this.counters.ha_valet_starts_total?.inc(p, proc.counters.starts);
      this.counters.ha_valet_failovers_total?.inc(p, proc.counters.failovers);
      this.counters.ha_valet_failures_total?.inc(p, proc.counters.failedStarts);
      this.counters.ha_valet_stops_total?.inc(p, proc.counters.stops);
      set('ha_valet_quorum_disagreement', p, proc.disagreement ? 1 : 0);
      for (const [host, counts] of Object.entries(proc.fences)) {
        this.fences.inc({ process: proc.name, host, result: 'ok' }, counts.ok);
        this.fences.inc({ process: proc.name, host, result: 'failed' }, counts.failed);
      }
    }
    for (const job of report.jobs) {
      const j = { job: job.name };
      this.jobCounters.ha_valet_job_runs_total?.inc(j, job.counters.runs);
      this.jobCounters.ha_valet_job_failures_total?.inc(j, job.counters.failures);
      this.jobCounters.ha_valet_job_skipped_total?.inc(j, job.counters.skipped);
      set('ha_valet_job_failures_in_row', j, job.failuresInRow);
      if (job.lastRun) {
        set('ha_valet_job_last_run_ok', j, job.lastRun.ok ? 1 : 0);
        set('ha_valet_job_last_run_timestamp_seconds', j, job.lastRun.startedAt / 1000);
      }
      if (job.nextRunAt !== null) set('ha_valet_job_next_run_timestamp_seconds', j, job.nextRunAt / 1000);
    }
    const w = report.watcher;
    if (w) {
      set('ha_valet_watcher_up', {}, w.alive ? 1 : 0);
      if (w.heartbeatAgeMs !== null)
        set('ha_valet_watcher_heartbeat_age_seconds', {}, w.heartbeatAgeMs / 1000);
      if (w.configMatches !== null) set('ha_valet_watcher_config_matches', {}, w.configMatches ? 1 : 0);
      if (w.scheduleLag) {
        set('ha_valet_watcher_schedule_lag_seconds', {}, w.scheduleLag.worstMs / 1000);
        set('ha_valet_watcher_processes_lagging', {}, w.scheduleLag.lagging);
      }
      if (w.checksDone !== null) set('ha_valet_watcher_checks_done', {}, w.checksDone);
      set(
        'ha_valet_watcher_info',
        { pid: w.pid === null ? '' : String(w.pid), config_file: report.configFile },
        1,
      );
    }
    if (report.coordination) {
      set(
        'ha_valet_coordination_ok',
        { backend: report.coordination.backend },
        report.coordination.ok ? 1 : 0,
      );
    }
    set('ha_valet_report_timestamp_seconds', {}, report.generatedAt / 1000);
  }
}

/**
 * Renders a report as Prometheus text. Without a long-lived StatusMetrics (a
 * cron pass), the histogram holds the report's own last check durations.
 */
export async function renderMetrics(report: StatusReport, metrics?: StatusMetrics): Promise<string> {
  if (metrics) return metrics.render(report);
  const fresh = new StatusMetrics();
  for (const proc of report.processes) {
    for (const host of proc.hosts) {
      if (host.observation) fresh.recordCheck(proc.name, host.host, host.observation.durationMs);
    }
  }
  return fresh.render(report);
}

/** Writes the metrics atomically (temp file in the same dir, fsync, rename) for the textfile collector. */
export async function writeMetricsFile(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
