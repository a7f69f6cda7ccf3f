/**
 * Noticing that an instance died, and saying how (pure). A death is the active host answering
 * `down` (for `check_count` checks in a row) after it was last seen up, noted once. It is early
 * when the instance, started and verified by us, was never seen up `min_uptime` or more after its
 * start; otherwise it ran.
 */
import type { ProcessConfig } from '../config/model.js';
import { hostRecord, type HostFailure, type HostRecord, type ProcessState } from '../state/model.js';
import { clearBackoff, earlyDeathDelay, retryAfterOf } from './backoff.js';

/** `3 s`, `4 min`, `2 h`. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** The death of the active instance seen by this probe, or null (not active, not down, already noted). */
export function findDeath(
  process: ProcessConfig,
  before: ProcessState,
  after: ProcessState,
  now: number,
): Death {
  const host = before.activeHost;
  if (host === null) return null;
  const seen = hostRecord(after, host);
  // A death is a `down` answer confirmed by check_count bad checks (a flaky test is not a death).
  if (seen.lastObservation?.kind !== 'down' || seen.badChecks < process.checkCount) return null;
  const previous = hostRecord(before, host);
  // Noted once: noting a death forgets the last sighting, so a host still down is no new death.
  const lastUpAt = previous.lastUpAt;
  if (lastUpAt === null) return null;
  const startedAt = before.startedAt;
  if (startedAt !== null && lastUpAt - startedAt < process.minUptimeMs) {
    const reason = `died within ${formatSpan(Math.max(1000, now - startedAt))} of its start on ${host}`;
    return { host, kind: 'died-early', at: now, reason };
  }
  const since = startedAt ?? previous.upSince;
  const ran =
    since === null || lastUpAt - since < 1000 ? '' : ` after running ${formatSpan(lastUpAt - since)}`;
  return { host, kind: 'died', at: now, reason: `died on ${host}${ran}` };
}

/** The host record after `death`: an early death adds to its streak, a death after running clears it. */
function recordDeath(process: ProcessConfig, record: HostRecord, death: HostFailure): HostRecord {
  const lastFailure: HostFailure = { kind: death.kind, at: death.at, reason: death.reason };
  if (death.kind !== 'died-early') return { ...clearBackoff(record), lastUpAt: null, lastFailure };
  const earlyDeaths = record.earlyDeaths + 1;
  const retryAfter = retryAfterOf(death.at, earlyDeathDelay(process, earlyDeaths));
  return { ...record, earlyDeaths, retryAfter, lastUpAt: null, lastFailure };
}

/** A death seen by this probe, if any. */
export type Death = (HostFailure & { host: string }) | null;

/** Folds a death seen by this probe (if any) into `after`, the state with the probe folded in; returns both. */
export function noteDeath(
  process: ProcessConfig,
  before: ProcessState,
  after: ProcessState,
  now: number,
): { state: ProcessState; death: Death } {
  const death = findDeath(process, before, after, now);
  if (death === null) return { state: after, death };
  const record = recordDeath(process, hostRecord(after, death.host), death);
  return { state: { ...after, startedAt: null, hosts: { ...after.hosts, [death.host]: record } }, death };
}

/** The death or failed start that took the service down in this outage, in words, or null. */
export function downCause(state: ProcessState): string | null {
  if (state.activeHost === null || state.downSince === null) return null;
  const failure = hostRecord(state, state.activeHost).lastFailure;
  if (failure === null || failure.kind === 'start-failed' || failure.at < state.downSince) return null;
  return failure.reason;
}
