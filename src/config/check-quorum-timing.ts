/**
 * A watcher publishes its view when its probe ends, so one waiting for a hung
 * host's `test_timeout` publishes that late. If `observation_max_age` is
 * shorter, its view goes stale exactly while a host hangs and stops counting as
 * a vote: warn (issue 12). Only with `coordination = etcd`. The interval is the
 * one the watcher runs at: the file's at load time, `watch --interval`'s again
 * when the watcher starts (quorumTimingProblem).
 */
import type { DiagnosticSink } from './diagnostics.js';
import type { GlobalSettings, ProcessConfig } from './model.js';
import type { RawSection } from './read-sections.js';
import { DEFAULT_SECTION } from './read-sections.js';

/**
 * `observation_max_age`, else the longest a healthy watcher can take between two
 * publishes: `test_timeout` of its slowest process (a probe waiting for a hung
 * host) plus two intervals, and never less than three intervals. `intervalMs` is
 * the one the watcher runs at (`watch --interval` overrides the file).
 */
export function resolveMaxAgeMs(
  configured: number | undefined,
  intervalMs: number,
  slowestTestTimeoutMs = 0,
): number {
  return configured ?? Math.max(3 * intervalMs, slowestTestTimeoutMs + 2 * intervalMs);
}

/** The longest test_timeout of `processes` (0 without any). */
export function slowestTestTimeoutMs(processes: ProcessConfig[]): number {
  return processes.reduce((worst, p) => Math.max(worst, p.testTimeoutMs), 0);
}

/**
 * Why `observation_max_age` is too short at `intervalMs` (a slowest test_timeout plus
 * two intervals does not fit in it), or null when it fits.
 */
export function quorumTimingProblem(
  global: GlobalSettings,
  processes: ProcessConfig[],
  intervalMs: number,
): string | null {
  if (global.coordination.backend !== 'etcd' || global.observationMaxAgeMs === undefined) return null;
  const slowest = processes.find((p) => p.testTimeoutMs === slowestTestTimeoutMs(processes));
  const needed = resolveMaxAgeMs(undefined, intervalMs, slowest?.testTimeoutMs ?? 0);
  if (!slowest || global.observationMaxAgeMs >= needed) return null;
  return `observation_max_age (${global.observationMaxAgeMs / 1000} s) is shorter than [${slowest.name}]'s test_timeout plus two intervals of ${intervalMs / 1000} s: a watcher waiting for a hung host would look stale; set observation_max_age to at least ${Math.ceil(needed / 1000)}s`;
}

/** Warns when a process's test_timeout (plus a margin of two intervals) exceeds observation_max_age. */
export function checkQuorumTiming(
  global: GlobalSettings,
  processes: ProcessConfig[],
  defaults: RawSection | null,
  sink: DiagnosticSink,
): void {
  const problem = quorumTimingProblem(global, processes, global.intervalMs);
  if (problem === null) return;
  const entry = defaults?.entries.get('observation_max_age') ?? defaults?.entries.get('coordination');
  sink.warn(
    { line: entry?.line ?? 1, section: DEFAULT_SECTION, key: entry?.written ?? 'observation_max_age' },
    problem,
  );
}
