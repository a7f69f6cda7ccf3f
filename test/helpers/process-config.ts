/** Builds typed ProcessConfig objects for unit tests, with the loader's defaults. */
import type { ProcessConfig } from '../../src/config/model.js';
import type { Observation } from '../../src/probe/observation.js';

/** A process on `hosts` (preference order) with default settings; commands echo their role. */
export function makeProcess(
  name: string,
  hosts: string[],
  overrides: Partial<ProcessConfig> = {},
): ProcessConfig {
  return {
    name,
    source: { file: 'test.cfg', line: 1 },
    host: hosts[0]!,
    priority: 1,
    order: 0,
    candidates: hosts.map((host, index) => ({
      host,
      rank: index + 1,
      transport: 'local',
      commands: { start: `start ${host}`, stop: `stop ${host}`, test: `test ${host}` },
    })),
    transport: 'local',
    ssh: { port: 22, verifyHostKey: true, runner: true, connectTimeoutMs: 5000 },
    testTimeoutMs: 10_000,
    startTimeoutMs: 30_000,
    stopTimeoutMs: 30_000,
    checkCount: 1,
    maxRestarts: 10,
    restartWindowMs: 150_000,
    givenUpRetryMs: 600_000,
    minUptimeMs: 1000,
    backoffInitialMs: 1000,
    backoffMaxMs: 10_000,
    failback: false,
    failbackDelayMs: 30_000,
    priorityWaitMs: 20_000,
    latch: false,
    hooks: { beforeFailover: [], afterFailover: [], onFailed: [], onGivenUp: [], onSplitBrain: [] },
    ...overrides,
  };
}

/** Observation shorthands: up(host, priority), down(host), unreachable(host), error(host). */
export const obs = {
  up: (host: string, priority = 1, at = 0): Observation => ({
    host,
    kind: 'up',
    priority,
    exitCode: priority,
    at,
    durationMs: 1,
  }),
  down: (host: string, at = 0): Observation => ({ host, kind: 'down', exitCode: 0, at, durationMs: 1 }),
  unreachable: (host: string, at = 0): Observation => ({
    host,
    kind: 'unreachable',
    reason: 'host unreachable (exit 255)',
    exitCode: 255,
    at,
    durationMs: 1,
  }),
  error: (host: string, at = 0): Observation => ({
    host,
    kind: 'error',
    reason: 'test command not found (exit 127)',
    exitCode: 127,
    at,
    durationMs: 1,
  }),
};
