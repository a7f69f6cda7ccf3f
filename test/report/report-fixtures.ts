/** Hand-built Config, ProcessState and Observation objects for report tests. */
import type { Config, ProcessConfig } from '../../src/config/model.js';
import type { Observation, ObservationKind } from '../../src/probe/observation.js';
import { emptyProcessState, hostRecord, type ProcessState } from '../../src/state/model.js';

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A process with the given candidate hosts, first = preferred (the shared test builder). */
export { makeProcess } from '../helpers/process-config.js';

/** A config holding these processes. */
export function makeConfig(processes: ProcessConfig[]): Config {
  return {
    file: '/etc/ha-valet/ha_valet.cfg',
    processes,
    jobs: [],
    global: { intervalMs: 5000, coordination: { backend: 'local' } },
    warnings: [],
  };
}

/** An observation taken `ageMs` before NOW. */
export function obs(
  host: string,
  kind: ObservationKind,
  priority?: number,
  ageMs = 3000,
  reason?: string,
): Observation {
  return {
    host,
    kind,
    ...(priority !== undefined ? { priority } : {}),
    ...(reason !== undefined ? { reason } : {}),
    exitCode: kind === 'up' ? (priority ?? 1) : kind === 'down' ? 0 : null,
    at: NOW - ageMs,
    durationMs: 12,
  };
}

/** A state whose hosts saw these observations, with overrides. */
export function makeState(observations: Observation[], overrides: Partial<ProcessState> = {}): ProcessState {
  const state = emptyProcessState();
  for (const o of observations) {
    state.hosts[o.host] = { ...hostRecord(state, o.host), lastObservation: o };
  }
  const up = observations.find((o) => o.kind === 'up');
  state.activeHost = up?.host ?? null;
  return { ...state, ...overrides };
}
