/**
 * The jobs of a watcher: one loop per job, ticking at least once a second and
 * at each slot. Only the acting watcher (leader with etcd, lock holder with
 * local coordination) claims and runs; a run goes on in the background so
 * slots that come due meanwhile are seen (and skipped or queued) on time.
 */
import type { Coordinator, Leadership } from '../coord/coordinator.js';
import { createExecutorPool } from '../exec/create-pool.js';
import type { ExecutorPool } from '../exec/executor.js';
import type { Logger } from '../log/logger.js';
import { abortableSleep } from '../watch/abortable-sleep.js';
import type { JobConfig } from './job-config.js';
import type { JobRun, JobState } from './job-state.js';
import { JobStore } from './job-store.js';
import { tickJob, type JobTickDeps } from './job-tick.js';
import { nextSlot } from './schedule.js';

/** Longest pause between two ticks of a job (how soon a run-job request or a takeover is noticed). */
const MAX_TICK_MS = 1000;

export interface JobSchedulerOptions {
  coordinator: Coordinator;
  logger: Logger;
  /** The leadership to act under now, or null. */
  leadership(): Leadership | null;
  /** The active host of a process (for `with`). */
  activeHostOf(process: string): Promise<string | null>;
  onRun?(job: JobConfig, run: JobRun): void;
}

export class JobScheduler {
  /** The last record seen of each job, for status and metrics. */
  readonly states = new Map<string, JobState>();
  private readonly cancel = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private pool: ExecutorPool | null = null;
  private readonly store: JobStore;

  constructor(
    private readonly jobs: JobConfig[],
    private readonly options: JobSchedulerOptions,
  ) {
    this.store = new JobStore(options.coordinator.records);
  }

  /** Starts one loop per job. */
  async start(): Promise<void> {
    if (this.jobs.length === 0) return;
    this.pool = await createExecutorPool(this.jobs, {
      warn: (m) => this.options.logger.warn(m),
      debug: (m) => this.options.logger.debug(m),
    });
    this.loops = this.jobs.map((job) => this.loop(job, this.pool!));
  }

  /**
   * Stops ticking. With `waitForRuns` (shutdown) waits for the runs in progress (each ends by
   * its timeout at worst); without (a config reload) lets them finish and record in the
   * background, so supervision never pauses behind a long job. Their claims keep the next
   * scheduler from starting another run beside them.
   */
  async stop({ waitForRuns }: { waitForRuns: boolean }): Promise<void> {
    this.cancel.abort();
    await Promise.all(this.loops);
    const pool = this.pool;
    const runs = Promise.allSettled([...this.inFlight]).then(() => pool?.closeAll());
    if (waitForRuns) await runs;
  }

  /** Ticks `job` until stopped. */
  private async loop(job: JobConfig, pool: ExecutorPool): Promise<void> {
    const signal = this.cancel.signal;
    while (!signal.aborted) {
      await this.tick(job, pool);
      const next = nextSlot(job.timing, Date.now());
      const pause = Math.min(MAX_TICK_MS, (next ?? Infinity) - Date.now());
      await abortableSleep(Math.max(10, pause), signal);
    }
  }

  /** One tick: claim and start under the current leadership; errors are logged and survived. */
  private async tick(job: JobConfig, pool: ExecutorPool): Promise<void> {
    const leadership = this.options.leadership();
    try {
      if (leadership) {
        const result = await tickJob(job, this.deps(pool, leadership));
        if (result.run) this.track(job, result.run);
      }
      this.states.set(job.name, await this.store.load(job.name));
    } catch (error) {
      this.options.logger.warn(`job ${job.name}: tick failed: ${(error as Error).message}`, {
        job: job.name,
      });
    }
  }

  /** Keeps a run in flight until it is recorded. */
  private track(job: JobConfig, run: Promise<JobRun>): void {
    const tracked = run.then(
      async (done) => {
        this.states.set(job.name, await this.store.load(job.name).catch(() => this.states.get(job.name)!));
        this.options.onRun?.(job, done);
      },
      (error: Error) =>
        this.options.logger.error(`job ${job.name}: run failed: ${error.message}`, { job: job.name }),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** What a tick needs, under `leadership`. */
  private deps(pool: ExecutorPool, leadership: Leadership): JobTickDeps {
    const { coordinator, logger } = this.options;
    return {
      pool,
      store: this.store,
      watcherId: coordinator.watcherId,
      logger,
      now: Date.now,
      mayRun: () => leadership.isValid(),
      activeHostOf: this.options.activeHostOf,
      recordJournal: async (entries) => {
        for (const entry of entries) await coordinator.journal.append(entry);
      },
      epoch: coordinator.backend === 'etcd' ? leadership.epoch : undefined,
    };
  }
}
