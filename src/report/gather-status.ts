/**
 * The I/O half of status: loads the config, the selected processes' state, the
 * watcher heartbeat and (unless told not to) fresh observations, and hands them
 * to the pure buildStatusReport. Used by `status`, `nagios` and tests; the
 * probe and SSH code load only when a probe is asked for.
 */
import { readFileSync } from 'node:fs';
import type { Config, ProcessConfig } from '../config/model.js';
import { UsageError } from '../errors.js';
import { unitNamed } from '../config/find-unit.js';
import { configFromText, readConfigFile } from '../config/load-config.js';
import { readHeartbeat } from '../state/heartbeat.js';
import { configStateDir, describeStateLayout, resolveStateDir } from '../state/state-dir.js';
import { FileStateStore, parseEnvelope } from '../state/state-store.js';
import { emptyProcessState, type ProcessState } from '../state/model.js';
import { readObservationSnapshot, withNewerObservations } from '../state/observation-snapshot.js';
import type { Observation } from '../probe/observation.js';
import type { CoordinationHealth, RecordStore } from '../coord/coordinator.js';
import { FileRecordStore } from '../coord/file-record-store.js';
import type { JobState } from '../jobs/job-state.js';
import { JobStore } from '../jobs/job-store.js';
import type { FullCheck } from './full-checks.js';
import { buildStatusReport, type WatcherInput } from './status-model.js';
import type { StatusReport } from './status-schema.js';
import type { TrustSetting } from '../trust/check-trust.js';
import { assessWatcher, hashConfigText, staleAfterMs } from './watcher-health.js';

export interface GatherOptions {
  configPath: string;
  defines?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** -p names; empty or absent = every process. */
  processNames?: string[];
  /** Run the test commands now (default) instead of reading the watcher's last observations. */
  probe: boolean;
  /** Also run the deadpool-style checks (implies a probe's executor pool). */
  full?: boolean;
  /** A missing heartbeat is a problem (otherwise only a stale one is: cron mode has none). */
  expectWatcher?: boolean;
  /** What to do about files others can change when probing (default: refuse). */
  trust?: TrustSetting;
  /** Override the heartbeat staleness limit. */
  staleAfterMs?: number;
  warn?(message: string): void;
  now?: () => number;
}

/** Collects everything status needs and builds the report. */
export async function gatherStatus(
  options: GatherOptions,
): Promise<{ report: StatusReport; config: Config }> {
  const env = options.env ?? process.env;
  // Read once: parsed here, and hashed below to tell whether the watcher runs this same file.
  const text = await readConfigFile(options.configPath);
  const config = configFromText(text, options.configPath, { defines: options.defines ?? {}, env });
  const selected = selectProcesses(config, options.processNames);
  if (options.probe || options.full) {
    // Probing runs the test commands: the same check as a pass (loaded only then).
    const { enforceTrust } = await import('../trust/check-trust.js');
    const warn =
      options.warn ?? ((message: string) => void process.stderr.write(`ha-valet: warning: ${message}\n`));
    enforceTrust(config, options.trust ?? { mode: 'enforce', source: 'default' }, warn, { env });
  }
  const layout = describeStateLayout(
    configStateDir(resolveStateDir(config.global.stateDir, env), options.configPath),
  );
  const store = new FileStateStore(layout.dir, { warn: options.warn });

  // Jobs are shown when the whole config is (no -p).
  const jobs = options.processNames?.length ? [] : config.jobs;
  const shared: Promise<SharedStates> =
    config.global.coordination.backend === 'etcd'
      ? loadSharedStates(config, selected, jobs.length > 0, options)
      : loadStates(store, selected).then(async (states) => ({
          states: withSnapshot(states, layout.dir),
          jobStates:
            jobs.length > 0 ? await loadJobStates(new FileRecordStore(layout.dir, () => false)) : undefined,
        }));
  const [{ states, coordination, jobStates }, heartbeat, probed] = await Promise.all([
    shared,
    readHeartbeat(layout.heartbeatPath),
    options.probe || options.full ? probeNow(selected, layout.dir, options) : Promise.resolve(null),
  ]);
  const now = (options.now ?? Date.now)();
  let watcher: WatcherInput | undefined;
  if (heartbeat || options.expectWatcher) {
    watcher = assessWatcher(heartbeat, {
      now,
      staleAfterMs: options.staleAfterMs ?? staleAfterMs(config.global.intervalMs),
      configHash: hashConfigText(text),
    });
  }
  const report = buildStatusReport({
    config: { ...config, processes: selected, jobs },
    states,
    ...(jobStates ? { jobStates } : {}),
    now,
    ...(probed?.observations ? { observations: probed.observations } : {}),
    ...(watcher ? { watcher } : {}),
    ...(coordination ? { coordination } : {}),
    ...(probed?.checks ? { checks: probed.checks } : {}),
  });
  return { report, config };
}

/** The -p selection in config order; an unknown name is a UsageError listing the known ones. */
export function selectProcesses(config: Config, names: string[] | undefined): ProcessConfig[] {
  if (!names || names.length === 0) return config.processes;
  const unknown = names.filter((n) => !unitNamed(config, n));
  if (unknown.length > 0) {
    const known = config.processes.map((p) => p.name);
    throw new UsageError(
      `no process named ${unknown.join(', ')} in ${config.file}; processes: ${known.join(', ') || '(none)'}`,
    );
  }
  // A group's member stands for its group.
  const wanted = new Set(names.map((n) => unitNamed(config, n)));
  return config.processes.filter((p) => wanted.has(p));
}

/**
 * Loads each selected process's state (missing = fresh). Fast path for
 * `--no-probe`: small files read synchronously (200 async reads cost several
 * times more); anything but a clean read goes through the store's own load,
 * which moves a damaged file aside and reports disk errors.
 */
async function loadStates(
  store: FileStateStore,
  processes: ProcessConfig[],
): Promise<Map<string, ProcessState>> {
  const states = new Map<string, ProcessState>();
  for (const proc of processes) {
    let text: string | null;
    try {
      text = readFileSync(store.pathOf(proc.name), 'utf8');
    } catch (error) {
      text = (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : '';
    }
    const parsed =
      text === null ? { state: emptyProcessState() } : text === '' ? null : parseEnvelope(text, proc.name);
    states.set(proc.name, parsed && 'state' in parsed ? parsed.state : await store.load(proc.name));
  }
  return states;
}

/**
 * Overlays the watcher's observation snapshot (written once per interval) on the
 * states, whose files are written only when something durable changed.
 */
function withSnapshot(states: Map<string, ProcessState>, dir: string): Map<string, ProcessState> {
  const snapshot = readObservationSnapshot(dir);
  if (snapshot.size === 0) return states;
  return new Map(
    [...states].map(([name, state]) => [name, withNewerObservations(state, snapshot.get(name))]),
  );
}

/** With `coordination = etcd` the state lives in etcd: read it there, with the backend's health. */
async function loadSharedStates(
  config: Config,
  processes: ProcessConfig[],
  withJobs: boolean,
  options: GatherOptions,
): Promise<SharedStates & { coordination: CoordinationHealth }> {
  const { createCoordinator } = await import('../coord/create-coordinator.js');
  const coordinator = await createCoordinator(config, { warn: options.warn });
  const coordination = await coordinator.refreshHealth().catch((error: Error): CoordinationHealth => ({
    ...coordinator.health(),
    ok: false,
    message: error.message.startsWith('coordination lost')
      ? error.message
      : `coordination lost: ${error.message}`,
  }));
  try {
    const loaded = await Promise.all(processes.map((p) => coordinator.state.load(p.name)));
    const jobStates = withJobs ? await loadJobStates(coordinator.records) : undefined;
    return { states: new Map(processes.map((p, i) => [p.name, loaded[i]!])), coordination, jobStates };
  } catch (error) {
    // etcd cannot be read (quorum lost): report what is known — nothing — and why, instead of failing.
    const why = error instanceof Error ? error.message : String(error);
    options.warn?.(`cannot read the shared state from etcd: ${why}`);
    const message = coordination.ok
      ? `coordination lost: cannot read the shared state: ${why}`
      : coordination.message;
    return {
      states: new Map(processes.map((p) => [p.name, emptyProcessState()])),
      coordination: { ...coordination, ok: false, message },
    };
  } finally {
    await coordinator.close().catch(() => undefined);
  }
}

/** Process states, and job records when jobs are shown. */
interface SharedStates {
  states: Map<string, ProcessState>;
  coordination?: CoordinationHealth;
  jobStates?: Map<string, JobState>;
}

/** Every job's shared record. */
function loadJobStates(records: RecordStore): Promise<Map<string, JobState>> {
  return new JobStore(records).loadAll();
}

/** Runs the test commands now and, for --full, the extra checks. */
async function probeNow(
  processes: ProcessConfig[],
  stateDir: string,
  options: GatherOptions,
): Promise<{ observations: Map<string, Observation[]> | null; checks: FullCheck[] | null }> {
  const { createExecutorPool } = await import('../exec/create-pool.js');
  const { probeProcesses } = await import('../probe/probe.js');
  const pool = await createExecutorPool(processes, { warn: options.warn });
  try {
    const observations = await probeProcesses(processes, pool);
    let checks: FullCheck[] | null = null;
    if (options.full) {
      const { runFullChecks } = await import('./full-checks.js');
      checks = await runFullChecks(processes, pool, stateDir);
      const { checkHostsEntries } = await import('../resources/hosts-check.js');
      checks.push(...(await checkHostsEntries(processes, observations, pool)));
    }
    return { observations, checks };
  } finally {
    await pool.closeAll();
  }
}
