/**
 * Runs every test command of every candidate host of the given processes,
 * concurrently through a bounded pool, and returns what each host said.
 */
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { ExecutorPool } from '../exec/executor.js';
import { classifyResult } from './classify.js';
import { runTest } from './run-test.js';
import type { Observation } from './observation.js';

/** How many test commands run at once by default. */
export const DEFAULT_PROBE_CONCURRENCY = 16;

/** Called after each check, for logs and metrics. */
export type CheckListener = (process: ProcessConfig, candidate: Candidate, observation: Observation) => void;

export interface ProbeOptions {
  concurrency?: number;
  onCheck?: CheckListener;
  /** The clock; injected so tests and the watch loop share one. */
  now?: () => number;
}

/** Runs one candidate's test command and classifies the result. */
export async function probeCandidate(
  process: ProcessConfig,
  candidate: Candidate,
  pool: ExecutorPool,
  now: () => number = Date.now,
): Promise<Observation> {
  const result = await runTest(pool, process, candidate, process.testTimeoutMs);
  return classifyResult(candidate.host, result, now());
}

/** Runs `tasks` with at most `limit` in flight, keeping results in order. */
export async function runBounded<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Probes every candidate of every process; the map holds observations in candidate order. */
export async function probeProcesses(
  processes: ProcessConfig[],
  pool: ExecutorPool,
  options: ProbeOptions = {},
): Promise<Map<string, Observation[]>> {
  const now = options.now ?? Date.now;
  const jobs = processes.flatMap((process) =>
    process.candidates.map((candidate) => async () => {
      const observation = await probeCandidate(process, candidate, pool, now);
      options.onCheck?.(process, candidate, observation);
      return { process: process.name, observation };
    }),
  );
  const results = await runBounded(jobs, options.concurrency ?? DEFAULT_PROBE_CONCURRENCY);
  const byProcess = new Map<string, Observation[]>(processes.map((p) => [p.name, []]));
  for (const { process, observation } of results) byProcess.get(process)!.push(observation);
  return byProcess;
}
