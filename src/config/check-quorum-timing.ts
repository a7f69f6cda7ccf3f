/**
 * A watcher publishes its view when its probe ends, so one waiting for a hung
 * host publishes that late (test_timeout, plus the SSH kill wait). If a set
 * `observation_max_age` is shorter, its view goes stale exactly while a host
 * hangs and failovers wait: warn (issue 12). The default already covers it.
 * Only with `coordination = etcd`. The interval is the one the watcher runs at:
 * the file's at load time, `watch --interval`'s again when the watcher starts
 * (quorumTimingProblem).
 */
import { longestProbeMs } from '../probe/probe-duration.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { GlobalSettings, ProcessConfig } from './model.js';
import type { RawSection } from './read-sections.js';
import { DEFAULT_SECTION } from './read-sections.js';

/**
 * `observation_max_age`, else three intervals (the watcher's --interval when it
 * overrides the file) plus the longest probe: a watcher waiting for a hung host
 * publishes that late, and its view must still count. That is always at least
 * test_timeout + 2 intervals.
 */
export function resolveMaxAgeMs(
  configured: number | undefined,
  intervalMs: number,
  slowestProbeMs = 0,
): number {
  return configured ?? 3 * intervalMs + slowestProbeMs;
}

/**
 * Why a set `observation_max_age` is too short at `intervalMs` (the longest probe
 * plus one interval does not fit in it), or null when it fits or is not set.
 */
export function quorumTimingProblem(
  global: GlobalSettings,
  processes: ProcessConfig[],
  intervalMs: number,
): string | null {
  if (global.coordination.backend !== 'etcd' || global.observationMaxAgeMs === undefined) return null;
  const maxAgeMs = global.observationMaxAgeMs;
  const slowest = processes.reduce<ProcessConfig | null>(
    (worst, p) => (worst === null || longestProbeMs(p) > longestProbeMs(worst) ? p : worst),
    null,
  );
  if (!slowest || longestProbeMs(slowest) + intervalMs <= maxAgeMs) return null;
  const needed = Math.ceil((longestProbeMs(slowest) + intervalMs) / 1000);
  return `observation_max_age (${maxAgeMs / 1000} s) is shorter than [${slowest.name}]'s longest probe (test_timeout${slowest.transport === 'ssh' ? ' plus the SSH kill wait' : ''}) plus one interval of ${intervalMs / 1000} s: a watcher waiting for a hung host would look stale; set observation_max_age to at least ${needed}s`;
}

/** Warns when a process's longest probe (plus a margin of one interval) exceeds a set observation_max_age. */
export function checkQuorumTiming(
  global: GlobalSettings,
  processes: ProcessConfig[],
  defaults: RawSection | null,
  sink: DiagnosticSink,
): void {
  const problem = quorumTimingProblem(global, processes, global.intervalMs);
  if (problem === null) return;
  const entry = defaults?.entries.get('observation_max_age');
  sink.warn(
    { line: entry?.line ?? 1, section: DEFAULT_SECTION, key: entry?.written ?? 'observation_max_age' },
    problem,
  );
}
