/**
 * A watcher publishes its view when its probe ends, so one waiting for a hung
 * host publishes that late (test_timeout, plus the SSH kill wait). If a set
 * `observation_max_age` is shorter, its view goes stale exactly while a host
 * hangs and failovers wait: warn (issue 12). The default already covers it.
 * Only with `coordination = etcd`.
 */
import { longestProbeMs } from '../probe/probe-duration.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { GlobalSettings, ProcessConfig } from './model.js';
import type { RawSection } from './read-sections.js';
import { DEFAULT_SECTION } from './read-sections.js';

/** Warns when a process's longest probe (plus a margin of one interval) exceeds a set observation_max_age. */
export function checkQuorumTiming(
  global: GlobalSettings,
  processes: ProcessConfig[],
  defaults: RawSection | null,
  sink: DiagnosticSink,
): void {
  if (global.coordination.backend !== 'etcd' || global.observationMaxAgeMs === undefined) return;
  const maxAgeMs = global.observationMaxAgeMs;
  const slowest = processes.reduce<ProcessConfig | null>(
    (worst, p) => (worst === null || longestProbeMs(p) > longestProbeMs(worst) ? p : worst),
    null,
  );
  if (!slowest || longestProbeMs(slowest) + global.intervalMs <= maxAgeMs) return;
  const entry = defaults?.entries.get('observation_max_age');
  const needed = Math.ceil((longestProbeMs(slowest) + global.intervalMs) / 1000);
  sink.warn(
    { line: entry?.line ?? 1, section: DEFAULT_SECTION, key: entry?.written ?? 'observation_max_age' },
    `observation_max_age (${maxAgeMs / 1000} s) is shorter than [${slowest.name}]'s longest probe (test_timeout${slowest.transport === 'ssh' ? ' plus the SSH kill wait' : ''}) plus one interval: a watcher waiting for a hung host would look stale; set observation_max_age to at least ${needed}s`,
  );
}
