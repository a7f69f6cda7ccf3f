/**
 * What of a process's state must reach the disk at once: everything a decision
 * or an action changed. Left out: when the last check ran and how long it took,
 * its reason text, and bad-check counts past `check_count` (decide only tells
 * "fewer than check_count" from "at least"). Two states with the same
 * fingerprint lead to the same decisions.
 */
import type { ProcessState } from './model.js';

/** A string equal for two states exactly when saving the second would add nothing durable. */
export function durableFingerprint(state: ProcessState, checkCount: number): string {
  const hosts: Record<string, unknown> = {};
  for (const [host, record] of Object.entries(state.hosts)) {
    const last = record.lastObservation;
    hosts[host] = {
      ...record,
      badChecks: Math.min(record.badChecks, checkCount),
      lastObservation: last && { kind: last.kind, priority: last.priority ?? null },
    };
  }
  return JSON.stringify({ ...state, hosts });
}
