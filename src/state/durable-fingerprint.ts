/**
 * What of a process's state must reach the disk at once: everything a decision
 * or an action changed. Left out: when the last check ran and how long it took,
 * its reason text, bad-check counts past `check_count` (decide only tells
 * "fewer than check_count" from "at least"), and the time a host was last seen
 * up once it is past `min_uptime` of the start (decide/death.ts only tells an
 * early death from a later one by it). Two states with the same fingerprint
 * lead to the same decisions; only the "after running …" words of a death
 * noted after a watcher restart can come from an older last sighting.
 */
import type { ProcessConfig } from '../config/model.js';
import type { ProcessState } from './model.js';

/** The settings of a process that say which changes are durable. */
export type FingerprintLimits = Pick<ProcessConfig, 'checkCount' | 'minUptimeMs'>;

/** A string equal for two states exactly when saving the second would add nothing durable. */
export function durableFingerprint(state: ProcessState, limits: FingerprintLimits): string {
  const hosts: Record<string, unknown> = {};
  for (const [host, record] of Object.entries(state.hosts)) {
    const last = record.lastObservation;
    const upAt = record.lastUpAt;
    const early = upAt !== null && state.startedAt !== null && upAt - state.startedAt < limits.minUptimeMs;
    hosts[host] = {
      ...record,
      badChecks: Math.min(record.badChecks, limits.checkCount),
      lastObservation: last && { kind: last.kind, priority: last.priority ?? null },
      lastUpAt: upAt === null || early ? upAt : 'past min_uptime',
    };
  }
  return JSON.stringify({ ...state, hosts });
}
