/**
 * The long-running watcher: each process on its own schedule (one slow host
 * never delays the others), acting only while it leads, reloading its config on
 * request and stopping cleanly after the action in progress.
 */
import { rm } from 'node:fs/promises';
import { quorumTimingProblem } from '../config/check-quorum-timing.js';
import type { Config, ProcessConfig } from '../config/model.js';
import { CoordinationError } from '../coord/coordinator.js';
import type { ExecutorPool } from '../exec/executor.js';
import { createExecutorPool } from '../exec/create-pool.js';
import type { CheckListener } from '../probe/probe.js';
import { runProcessCycle } from '../pass/process-cycle.js';
import type { ProcessPassResult } from '../pass/run-pass.js';
import { emptyProcessState, type ProcessState } from '../state/model.js';
import { createCycleDeps, logChecks } from '../runtime/cycle-deps.js';
import type { Runtime } from '../runtime/runtime.js';
import { selectProcesses } from '../runtime/select-processes.js';
import { writeHeartbeat } from '../state/heartbeat.js';
import { ChangeAwareStateStore } from '../state/change-aware-store.js';
import { observationsOf, writeObservationSnapshot } from '../state/observation-snapshot.js';
import { abortableSleep } from './abortable-sleep.js';
import { LeadershipKeeper } from './leadership-keeper.js';
import { JobScheduler } from '../jobs/job-scheduler.js';
import type { JobState } from '../jobs/job-state.js';
import { ScheduleLag } from './schedule-lag.js';
import type { Observation } from '../probe/observation.js';
import { canWatchTcp, TcpWatches, type TcpWatch } from '../probe/native/tcp-watch.js';
import { withCheckedAt } from './checked-at.js';

/** How long a watcher checks a process itself before it asks the connect helper to watch it again. */
const WATCH_RETRY_MS = 60_000;

export interface WatcherOptions {
  names?: string[];
  /** Overrides the config's `interval`. */
  intervalMs?: number;
  onCheck?: CheckListener;
  /** Called after every cycle of every process. */
  onCycle?(result: ProcessPassResult): void;
  /** Called after every job run. */
  onJobRun?(): void;
}

export class Watcher {
  /** The last state of each process, for status and metrics. */
  readonly states = new Map<string, ProcessState>();
  lastCycleAt: number | null = null;
  private processes: ProcessConfig[];
  /** The watched processes by name (asked on every save). */
  private byName = new Map<string, ProcessConfig>();
  private pool: ExecutorPool | null = null;
  private loops: Promise<void>[] = [];
  /** The config's jobs (run when the watcher watches the whole config, no -p). */
  private jobs: JobScheduler | null = null;
  private cancel = new AbortController();
  private readonly stopped = new AbortController();
  private readonly startedAt = Date.now();
  private stopping = false;
  private readonly leadership: LeadershipKeeper;
  private leadershipLoop: Promise<void> | null = null;
  /** Processes whose last cycle failed because the coordination store was unreachable. */
  private readonly storeTrouble = new Set<string>();
  /** How late cycles begin (metric, status warning, log lines). */
  readonly lag = new ScheduleLag(() => this.intervalMs);
  /** State saves that write only when something durable changed. */
  private readonly store: ChangeAwareStateStore;
  /** Checks made since the start (in the heartbeat: checks per second for status and benchmarks). */
  checksDone = 0;
  /** Counts a check, then hands it to the configured listener (the check log by default). */
  private readonly countChecks: CheckListener = (process, candidate, observation) => {
    this.checksDone++;
    (this.options.onCheck ?? logChecks(this.runtime.logger))(process, candidate, observation);
  };
  /** When a cycle last ended (lastCycleAt also moves with the helper's tallies of watched checks). */
  private cycledAt: number | null = null;
  /** cycledAt and the watched processes when the observation snapshot was last written. */
  private snapshotOf: { at: number; watched: string } | null = null;
  /**
   * The connect helper's watches of plain tcp:// checks (tcp-watch.ts); null when the
   * coordination is not local (peers need every cycle's observations) or it is switched off.
   */
  private tcpWatches: TcpWatches | null = null;
  /** The live watch of each watched process. */
  private readonly watched = new Map<string, TcpWatch>();
  /** The leadership the quiet watches last ran a cycle under. */
  private watchedUnder: unknown = null;

  constructor(
    private runtime: Runtime,
    private readonly options: WatcherOptions = {},
    /** sha256 of the config file's text, written into the heartbeat. */
    private configHash: string = '',
  ) {
    this.processes = selectProcesses(runtime.config, options.names);
    this.byName = new Map(this.processes.map((p) => [p.name, p]));
    this.leadership = new LeadershipKeeper(runtime.coordinator, runtime.logger);
    this.store = new ChangeAwareStateStore(
      runtime.coordinator.state,
      (name) => this.byName.get(name) ?? { checkCount: 1, minUptimeMs: 0 },
    );
  }

  /** The config in use (it changes on reload). */
  get config(): Config {
    return this.runtime.config;
  }

  /** The pass interval in milliseconds. */
  get intervalMs(): number {
    return this.options.intervalMs ?? this.runtime.config.global.intervalMs;
  }

  /** Starts the leadership loop and one loop per process. */
  async start(): Promise<void> {
    for (const process of this.processes) this.states.set(process.name, await this.loadState(process.name));
    this.snapshotOf = null;
    await this.leadership.refresh();
    this.leadershipLoop = this.keepLeadership();
    await this.startLoops();
    if (this.intervalMs !== this.runtime.config.global.intervalMs) {
      // `--interval` overrides the file: check observation_max_age against the interval in use.
      const problem = quorumTimingProblem(this.runtime.config.global, this.processes, this.intervalMs);
      if (problem !== null) this.runtime.logger.warn(problem);
    }
    this.runtime.logger.info(
      `watching ${this.processes.map((p) => p.name).join(', ')} every ${this.intervalMs} ms (${this.runtime.config.file})`,
    );
  }

  /**
   * The stored state of a process; empty when the store cannot be reached, so a
   * watcher started during an etcd outage keeps running (not acting) and rejoins later.
   */
  private async loadState(name: string): Promise<ProcessState> {
    try {
      return await this.store.load(name);
    } catch (error) {
      this.runtime.logger.warn(
        `${name}: cannot read its stored state yet (${(error as Error).message}); not acting until it can`,
        { process: name },
      );
      return emptyProcessState();
    }
  }

  /** Swaps in a new config (already validated); loops restart after their current cycle. */
  async reload(runtime: Runtime, configHash: string): Promise<void> {
    const processes = selectProcesses(runtime.config, this.options.names);
    await this.stopLoops();
    this.runtime = { ...runtime, coordinator: this.runtime.coordinator };
    this.configHash = configHash;
    this.processes = processes;
    this.byName = new Map(processes.map((p) => [p.name, p]));
    this.lag.keepOnly(processes.map((p) => p.name));
    await this.startLoops();
    if (this.intervalMs !== this.runtime.config.global.intervalMs) {
      // `--interval` overrides the file: check observation_max_age against the interval in use.
      const problem = quorumTimingProblem(this.runtime.config.global, this.processes, this.intervalMs);
      if (problem !== null) this.runtime.logger.warn(problem);
    }
    this.runtime.logger.info(`config reloaded: ${processes.map((p) => p.name).join(', ')}`);
  }

  /** Stops after the actions in progress; releases leadership and connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    await this.stopLoops();
    await this.leadershipLoop;
    // A watcher stopped on purpose is not a stale one: status must not warn about it.
    await rm(this.runtime.layout.heartbeatPath, { force: true }).catch(() => undefined);
    await this.runtime.coordinator.close();
  }

  /** Whether stop() was called. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** The last record seen of each job. */
  get jobStates(): ReadonlyMap<string, JobState> {
    return this.jobs?.states ?? new Map();
  }

  /** Creates the executor pool, one loop per process, and the job loops. */
  private async startLoops(): Promise<void> {
    this.cancel = new AbortController();
    this.pool = await createExecutorPool(this.processes, {
      warn: (m) => this.runtime.logger.warn(m),
      debug: (m) => this.runtime.logger.debug(m),
    });
    this.tcpWatches = this.mayWatchTcp()
      ? new TcpWatches({
          lag: (name, lagMs) => this.lag.record(name, lagMs),
          checks: (count) => {
            this.checksDone += count;
            this.lastCycleAt = Date.now();
          },
        })
      : null;
    // Spread evenly over the interval: process i of n begins i/n of an interval after the first.
    const count = this.processes.length;
    this.loops = this.processes.map((process, index) =>
      this.loop(process, this.pool!, this.cancel.signal, (index * this.intervalMs) / count),
    );
    const jobs = this.options.names?.length ? [] : this.runtime.config.jobs;
    this.jobs = new JobScheduler(jobs, {
      coordinator: this.runtime.coordinator,
      logger: this.runtime.logger,
      leadership: () => this.leadership.current(),
      onRun: () => this.options.onJobRun?.(),
      activeHostOf: async (name) =>
        (this.states.get(name) ?? (await this.runtime.coordinator.state.load(name))).activeHost,
    });
    await this.jobs.start();
  }

  /** Ends every loop after its current cycle (and the job runs in progress) and closes the pool. */
  private async stopLoops(): Promise<void> {
    this.cancel.abort();
    await Promise.all(this.loops);
    this.tcpWatches?.close();
    this.tcpWatches = null;
    // Shutting down waits for job runs in progress; a reload lets them finish in the background.
    await this.jobs?.stop({ waitForRuns: this.stopping });
    await this.pool?.closeAll();
    this.pool = null;
  }

  /**
   * Re-checks leadership, writes the heartbeat and the observation snapshot, and logs
   * the start and end of schedule lag, every interval (at most 1 s apart) until stopped.
   */
  private async keepLeadership(): Promise<void> {
    while (!this.stopping) {
      const lagLine = this.lag.transition();
      if (lagLine) this.runtime.logger.warn(lagLine);
      this.wakeWatched();
      await this.writeHeartbeat();
      await this.writeSnapshot();
      await abortableSleep(Math.min(this.intervalMs, 1000), this.stopped.signal);
      if (this.stopping) break;
      await this.leadership.refresh();
    }
  }

  /** The heartbeat file status reads to tell that this watcher is alive; a write error is logged. */
  private async writeHeartbeat(): Promise<void> {
    try {
      await writeHeartbeat(this.runtime.layout.heartbeatPath, {
        pid: process.pid,
        startedAt: this.startedAt,
        configPath: this.runtime.config.file,
        configHash: this.configHash,
        at: Date.now(),
        lag: this.lag.summary(),
        checksDone: this.checksDone,
        ...(this.watched.size > 0 && this.tcpWatches?.lastTickAt
          ? { watchedCheckedAt: this.tcpWatches.lastTickAt }
          : {}),
      });
    } catch (error) {
      this.runtime.logger.warn(`cannot write heartbeat: ${(error as Error).message}`);
    }
  }

  /**
   * Writes the newest observations once per interval when a cycle ran since (status
   * --no-probe reads them), naming the watched processes: their checks go on without
   * cycles, and the heartbeat's watchedCheckedAt says until when they said nothing new.
   */
  private async writeSnapshot(): Promise<void> {
    const at = this.cycledAt;
    const watched = this.quietNames();
    const key = watched.join(' ');
    if (at === null || (at === this.snapshotOf?.at && key === this.snapshotOf.watched)) return;
    try {
      await writeObservationSnapshot(this.runtime.layout.dir, observationsOf(this.states), at, watched);
      this.snapshotOf = { at, watched: key };
    } catch (error) {
      this.runtime.logger.warn(`cannot write the observation snapshot: ${(error as Error).message}`);
    }
  }

  /**
   * Runs cycles of `process` every interval, the first after `offsetMs`, until `signal`
   * aborts. Each cycle is due one interval after the previous one began; how much later
   * it begins is its schedule lag (its own slow test, or a machine that cannot keep up).
   *
   * A process of plain tcp:// checks is watched by the connect helper instead
   * (tcp-watch.ts): a cycle runs on each round it reports, and once the process is
   * steady (decide/steady.ts) only on a round that changed, or when an operator request
   * or a foreign state write may wait (wakeWatched). Should the helper end, the loop
   * checks by itself until it can watch again.
   */
  private async loop(
    process: ProcessConfig,
    pool: ExecutorPool,
    signal: AbortSignal,
    offsetMs: number,
  ): Promise<void> {
    const watchable = this.mayWatch(process);
    let watchAfter = watchable ? 0 : Infinity;
    if (!watchable) await abortableSleep(offsetMs, signal);
    let due = Date.now();
    while (!signal.aborted) {
      if (Date.now() >= watchAfter) {
        // The first round (or cycle) keeps this loop's place in the spread over the interval.
        const firstIn = Math.max(0, due + offsetMs - Date.now());
        offsetMs = 0;
        const watch = this.tcpWatches?.open(process, this.intervalMs, firstIn);
        if (watch) await this.watchedCycles(process, pool, signal, watch);
        else await abortableSleep(firstIn, signal);
        if (signal.aborted) break;
        // The helper ended (checks go on from here) or could not be used.
        watchAfter = Date.now() + (watch ? this.intervalMs : WATCH_RETRY_MS);
        due = Date.now();
      }
      const started = Date.now();
      this.lag.record(process.name, started - due);
      await this.cycle(process, pool, signal);
      due = started + this.intervalMs;
      await abortableSleep(due - Date.now(), signal);
    }
  }

  /** Cycles on the rounds `watch` reports, until it ends or `signal` aborts. */
  private async watchedCycles(
    process: ProcessConfig,
    pool: ExecutorPool,
    signal: AbortSignal,
    watch: TcpWatch,
  ): Promise<void> {
    this.watched.set(process.name, watch);
    const abort = () => watch.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      for (;;) {
        const round = await watch.next();
        if (round === null) return;
        this.lag.record(process.name, round.lagMs);
        for (const [index, observation] of round.observations.entries())
          this.reportCheck(process, index, observation);
        const result = await this.cycle(process, pool, signal, round.observations);
        watch.cycled(result?.steady !== true, result === null || result.outcomes.length > 0);
      }
    } finally {
      signal.removeEventListener('abort', abort);
      if (this.watched.get(process.name) === watch) this.watched.delete(process.name);
      watch.close();
    }
  }

  /** Hands a watched check to the configured listener (counted by the helper's tallies, not here). */
  private reportCheck(process: ProcessConfig, index: number, observation: Observation): void {
    const candidate = process.candidates[index];
    if (candidate) (this.options.onCheck ?? logChecks(this.runtime.logger))(process, candidate, observation);
  }

  /**
   * Makes the quiet watches hot again where a cycle may be needed although no check
   * changed: an operator request or a state file someone else wrote, or a change of
   * leadership (a follower's cycles are never steady; a new leader must look at once).
   */
  private wakeWatched(): void {
    // A helper that stopped tallying (stopped, hung) checks nothing: end it, check by ourselves.
    const silentMs = Math.max(5000, 3 * this.intervalMs);
    if (this.tcpWatches?.stalled(silentMs)) {
      this.runtime.logger.warn(
        `connect helper silent for over ${silentMs} ms: ending it; the watcher checks its processes itself until a new one watches them`,
      );
      this.tcpWatches.killHelper();
    }
    if (this.watched.size === 0) return;
    const leadership = this.leadership.current();
    const changed = leadership !== this.watchedUnder;
    this.watchedUnder = leadership;
    const coordinator = this.runtime.coordinator;
    for (const [name, watch] of this.watched) {
      if (changed || (!watch.isHot && (coordinator.mayHaveNews?.(name) ?? true))) watch.wake();
    }
  }

  /**
   * Whether the connect helper may watch `process`: plain tcp:// checks only, and no VIP or
   * hosts-file line (their cycle also checks and mends the resource every interval).
   */
  private mayWatch(process: ProcessConfig): boolean {
    return this.tcpWatches !== null && !process.vip && !process.hostsEntry && canWatchTcp(process);
  }

  /** Whether plain tcp:// checks may be watched by the connect helper (local coordination). */
  private mayWatchTcp(): boolean {
    return this.runtime.coordinator.backend === 'local' && process.env.HA_VALET_TCP_WATCH !== 'no';
  }

  /**
   * The last state of each process for reports: a watched process that is quiet was
   * checked as recently as the helper last said it was checking, though its cycle ran earlier.
   */
  reportStates(): Map<string, ProcessState> {
    const tick = this.tcpWatches?.lastTickAt ?? null;
    if (tick === null || this.watched.size === 0) return this.states;
    return withCheckedAt(this.states, this.quietNames(), tick);
  }

  /**
   * The watched processes heard only on a change (cold): their last checks are as recent as
   * the helper's last tally. Not a hot one: its newest round may not have reached a cycle
   * (one that failed, one still running).
   */
  private quietNames(): string[] {
    return [...this.watched].filter(([, watch]) => !watch.isHot).map(([name]) => name);
  }

  /** One cycle, on `observed` when given (else it probes); any error is logged and survived. */
  private async cycle(
    process: ProcessConfig,
    pool: ExecutorPool,
    signal: AbortSignal,
    observed?: Observation[],
  ): Promise<ProcessPassResult | null> {
    const leadership = this.leadership.current();
    const backend = this.runtime.coordinator.backend;
    try {
      const deps = createCycleDeps(this.runtime, pool, {
        dryRun: leadership === null,
        // Only under the leadership this cycle started with: its epoch is the one journalled.
        mayAct: () => leadership?.isValid() ?? false,
        // Stopping or reloading begins nothing new, but the action in progress finishes, hooks included.
        mayStartAction: () => !signal.aborted && (leadership?.isValid() ?? false),
        epoch: backend === 'etcd' ? leadership?.epoch : undefined,
        onCheck: this.countChecks,
        stateStore: this.store,
        intervalMs: this.intervalMs,
        wantSteady: observed !== undefined,
      });
      const result = await runProcessCycle(process, deps, observed);
      if (this.storeTrouble.delete(process.name))
        this.runtime.logger.info(`${process.name}: cycles complete again`, { process: process.name });
      this.states.set(process.name, result.state);
      this.lastCycleAt = this.cycledAt = Date.now();
      const line = `${result.summary}${leadership ? '' : ' [following: not acting]'}`;
      if (result.outcomes.length > 0) this.runtime.logger.info(line, { process: process.name });
      else this.runtime.logger.debug(line, { process: process.name });
      this.options.onCycle?.(result);
      return result;
    } catch (error) {
      this.logCycleFailure(process.name, error as Error);
      return null;
    }
  }

  /** Logs a failed cycle; an unreachable store is logged once per outage (then at debug level). */
  private logCycleFailure(name: string, error: Error): void {
    if (!(error instanceof CoordinationError)) {
      this.runtime.logger.error(`${name}: cycle failed: ${error.message}`, { process: name });
      return;
    }
    const first = !this.storeTrouble.has(name);
    this.storeTrouble.add(name);
    const line = `${name}: cycle failed: ${error.message}; probing only, not acting until the store is back`;
    if (first) this.runtime.logger.error(line, { process: name });
    else this.runtime.logger.debug(line, { process: name });
  }
}
