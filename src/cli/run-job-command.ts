/**
 * The body of `run-job`: leave a request in the job's shared record; when no
 * watcher acts, take the lead and run it here, else wait for the acting
 * watcher's result. Either way the run is claimed like a slot, so it never
 * runs beside another run of the job.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT_NOT_UP, EXIT_OK, HaValetError, UsageError } from '../errors.js';
import { createExecutorPool } from '../exec/create-pool.js';
import type { JobConfig } from '../jobs/job-config.js';
import type { JobRun } from '../jobs/job-state.js';
import { JobStore } from '../jobs/job-store.js';
import { tickJob } from '../jobs/job-tick.js';
import type { RunJobOptions } from './commands/run-job.js';
import { describeOperator } from './operator-command.js';
import { openRuntime, type Runtime } from '../runtime/runtime.js';

const POLL_MS = 200;

/** The job named `name`; an unknown name is a usage error listing the jobs. */
function findJob(runtime: Runtime, name: string): JobConfig {
  const job = runtime.config.jobs.find((j) => j.name === name);
  if (job) return job;
  const list = runtime.config.jobs.map((j) => j.name).join(', ') || '(none)';
  throw new UsageError(`unknown job '${name}' in ${runtime.config.file}; jobs: ${list}`);
}

/** Runs it here under our own leadership; null when it was busy (a run in progress). */
async function runHere(runtime: Runtime, job: JobConfig, store: JobStore): Promise<JobRun | null> {
  const { coordinator, logger } = runtime;
  const leadership = await coordinator.acquire();
  if (!leadership) return null;
  const pool = await createExecutorPool([job], {
    warn: (m) => logger.warn(m),
    debug: (m) => logger.debug(m),
  });
  try {
    const result = await tickJob(job, {
      pool,
      store,
      watcherId: coordinator.watcherId,
      logger,
      now: Date.now,
      mayRun: () => leadership.isValid(),
      activeHostOf: async (name) => (await coordinator.state.load(name)).activeHost,
      recordJournal: async (entries) => {
        for (const entry of entries) await coordinator.journal.append(entry);
      },
      epoch: coordinator.backend === 'etcd' ? leadership.epoch : undefined,
    });
    return result.run ? await result.run : null;
  } finally {
    await pool.closeAll();
    await coordinator.release();
  }
}

/** Waits for the acting watcher to record the run asked for at `askedAt`. */
async function waitForRun(store: JobStore, job: JobConfig, askedAt: number, waitMs: number): Promise<JobRun> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const last = (await store.load(job.name)).lastRun;
    if (last?.manual && last.startedAt >= askedAt) return last;
    await sleep(POLL_MS);
  }
  throw new HaValetError(
    `job ${job.name}: not run within ${Math.round(waitMs / 1000)} s; the request stays for the acting watcher`,
    EXIT_NOT_UP,
  );
}

/** Asks for a run, runs or waits for it, prints it; returns the exit code (0 ok, 1 failed). */
export async function runJobCommand(command: Command, name: string, options: RunJobOptions): Promise<number> {
  const runtime = await openRuntime(command);
  try {
    const job = findJob(runtime, name);
    const waitMs = options.wait === '' ? job.timeoutMs + 30_000 : Number(options.wait) * 1000;
    if (!(waitMs > 0)) throw new UsageError(`--wait expects a number of seconds > 0, got '${options.wait}'`);
    const store = new JobStore(runtime.coordinator.records);
    const askedAt = Date.now();
    const request = { by: describeOperator(), at: askedAt };
    await store.update(job.name, (state) => ({ ...state, request }), { fenced: false });
    const run = (await runHere(runtime, job, store)) ?? (await waitForRun(store, job, askedAt, waitMs));
    process.stdout.write(
      options.json ? `${JSON.stringify({ job: job.name, ...run }, null, 2)}\n` : renderRun(job, run),
    );
    return run.ok ? EXIT_OK : EXIT_NOT_UP;
  } finally {
    await runtime.coordinator.close();
  }
}

/** `Cleanup: ok on Host_A (exit 0, 12 ms)` and the output tail, indented. */
function renderRun(job: JobConfig, run: JobRun): string {
  const exit = run.exitCode === null ? 'no exit code' : `exit ${run.exitCode}`;
  const lines = [`${job.name}: ${run.reason} (${exit}, ${run.durationMs} ms)`];
  if (run.outputTail) lines.push(...run.outputTail.split('\n').map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
