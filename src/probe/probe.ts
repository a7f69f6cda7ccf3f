/**
 * Runs every test command of every candidate host of the given processes,
 * concurrently through a bounded pool, and returns what each host said.
 */
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { ExecutorPool } from '../exec/executor.js';
import { classifyResult } from './classify.js';
import { combineMemberObservations } from './group-observation.js';
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

/** Runs one candidate's test command and classifies the result; a group's candidate: every member's. */
export async function probeCandidate(
  process: ProcessConfig,
  candidate: Candidate,
  pool: ExecutorPool,
  now: () => number = Date.now,
): Promise<Observation> {
  if (process.members) return probeGroupCandidate(process.members, candidate.host, pool, now);
  const result = await runTest(pool, process, candidate, process.testTimeoutMs);
  return classifyResult(candidate.host, result, now());
}

/** Tests every member of a group on `host` at once and combines what they said. */
export async function probeGroupCandidate(
  members: ProcessConfig[],
  host: string,
  pool: ExecutorPool,
  now: () => number = Date.now,
): Promise<Observation> {
  const seen = await Promise.all(
    members.map((member) => probeCandidate(member, memberCandidate(member, host), pool, now)),
  );
  return combineMemberObservations(
    host,
    members.map((m) => m.name),
    seen,
    now(),
  );
}

/** The member's candidate on `host` (the config layer gave every member the group's hosts). */
export function memberCandidate(member: ProcessConfig, host: string): Candidate {
  const candidate = member.candidates.find((c) => c.host === host);
  if (!candidate) throw new Error(`${host} is not a candidate host of ${member.name}`);
  return candidate;
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
