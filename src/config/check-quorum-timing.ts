/**
 * A watcher publishes its view when its probe ends, so one waiting for a hung
 * host's `test_timeout` publishes that late. If `observation_max_age` is
 * shorter, its view goes stale exactly while a host hangs, and the quorum
 * shrinks: warn (issue 12). Only with `coordination = etcd`.
 */
import type { DiagnosticSink } from './diagnostics.js';
import type { GlobalSettings, ProcessConfig } from './model.js';
import type { RawSection } from './read-sections.js';
import { DEFAULT_SECTION } from './read-sections.js';

/** Warns when a process's test_timeout (plus a margin of one interval) exceeds observation_max_age. */
export function checkQuorumTiming(
  global: GlobalSettings,
  processes: ProcessConfig[],
  defaults: RawSection | null,
  sink: DiagnosticSink,
): void {
  if (global.coordination.backend !== 'etcd') return;
  const maxAgeMs = global.observationMaxAgeMs ?? 3 * global.intervalMs;
  const slowest = processes.reduce<ProcessConfig | null>(
    (worst, p) => (worst === null || p.testTimeoutMs > worst.testTimeoutMs ? p : worst),
    null,
  );
  if (!slowest || slowest.testTimeoutMs + global.intervalMs <= maxAgeMs) return;
  const entry = defaults?.entries.get('observation_max_age') ?? defaults?.entries.get('coordination');
  const needed = Math.ceil((slowest.testTimeoutMs + global.intervalMs) / 1000);
  sink.warn(
    { line: entry?.line ?? 1, section: DEFAULT_SECTION, key: entry?.written ?? 'observation_max_age' },
    `observation_max_age (${maxAgeMs / 1000} s${global.observationMaxAgeMs === undefined ? ', 3 x interval' : ''}) is shorter than [${slowest.name}]'s test_timeout plus one interval: a watcher waiting for a hung host would look stale; set observation_max_age to at least ${needed}s`,
  );
}
