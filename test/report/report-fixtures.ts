/** Hand-built Config, ProcessState and Observation objects for report tests. */
import type { Config, ProcessConfig } from '../../src/config/model.js';
import type { Observation, ObservationKind } from '../../src/probe/observation.js';
import { emptyProcessState, hostRecord, type ProcessState } from '../../src/state/model.js';

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A process with the given candidate hosts, first = preferred. */
export function makeProcess(name: string, hosts: string[]): ProcessConfig {
  const noHooks = { beforeFailover: [], afterFailover: [], onFailed: [], onGivenUp: [], onSplitBrain: [] };
  return {
    name,
    source: { file: '/etc/ha-valet/ha_valet.cfg', line: 1 },
    host: hosts[0] ?? 'localhost',
    priority: 1,
    order: 0,
    candidates: hosts.map((host, i) => ({
      host,
      rank: i + 1,
      transport: 'local',
      commands: { start: `start ${name}`, stop: `stop ${name}`, test: `test ${name}` },
    })),
    transport: 'local',
    ssh: { port: 22, verifyHostKey: true, connectTimeoutMs: 5000 },
    testTimeoutMs: 10_000,
    startTimeoutMs: 30_000,
    stopTimeoutMs: 30_000,
    checkCount: 1,
    maxRestarts: 10,
    restartWindowMs: 150_000,
    givenUpRetryMs: 600_000,
    minUptimeMs: 10_000,
    backoffInitialMs: 1000,
    backoffMaxMs: 60_000,
    failback: false,
    failbackDelayMs: 30_000,
    priorityWaitMs: 20_000,
    latch: false,
    hooks: noHooks,
  };
}

/** A config holding these processes. */
export function makeConfig(processes: ProcessConfig[]): Config {
  return {
    file: '/etc/ha-valet/ha_valet.cfg',
    processes,
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
