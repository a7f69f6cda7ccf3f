/**
 * Per-host back-off (pure). A host backs off after a failed start (1st, 2nd, … in a row:
 * `backoff_initial`, doubling, capped at `backoff_max`) and after its 3rd, 4th, … early death in a
 * row (the first two restart in place at once). Every delay is capped at `backoff_max`, so
 * a start is never withheld longer than that after the host's last failure.
 */
import type { ProcessConfig } from '../config/model.js';
import type { HostRecord } from '../state/model.js';

/** Delay before the next start on a host after its `failures`-th consecutive failure. */
export function backoffDelay(process: ProcessConfig, failures: number): number {
  if (failures <= 0) return 0;
  const delay = process.backoffInitialMs * 2 ** Math.min(failures - 1, 30);
  return Math.min(delay, process.backoffMaxMs);
}

/**
 * Delay after the `earlyDeaths`-th early death in a row: none for the first two (a user who kills
 * a fresh instance twice sees it restarted where it was), then as after failed starts.
 */
export function earlyDeathDelay(process: ProcessConfig, earlyDeaths: number): number {
  return backoffDelay(process, earlyDeaths - 2);
}

/** `retryAfter` for a delay counted from `now` (null when there is none). */
export function retryAfterOf(now: number, delayMs: number): number | null {
  return delayMs > 0 ? now + delayMs : null;
}

/** The record with its failure streaks and back-off forgotten (it ran long enough, or `reset`). */
export function clearBackoff(record: HostRecord): HostRecord {
  return { ...record, failedStarts: 0, earlyDeaths: 0, retryAfter: null };
}

/**
 * When the host may take a start again: its `retryAfter`, but never later than `backoff_max` after
 * its last failure (a record written under a larger `backoff_max` before a reload obeys the new one).
 */
export function retryAt(process: ProcessConfig, record: HostRecord): number | null {
  if (record.retryAfter === null) return null;
  const failure = record.lastFailure;
  return failure ? Math.min(record.retryAfter, failure.at + process.backoffMaxMs) : record.retryAfter;
}

/** Why the host backs off at `now` (`backing off after 2 failed starts in a row, retry in 2 s`), or null. */
export function backingOffWords(process: ProcessConfig, record: HostRecord, now: number): string | null {
  const until = retryAt(process, record);
  if (until === null || until <= now) return null;
  const retry = `retry in ${Math.ceil((until - now) / 1000)} s`;
  if (record.lastFailure?.kind === 'died-early') {
    return `backing off after ${record.earlyDeaths} early deaths in a row (${record.lastFailure.reason}), ${retry}`;
  }
  const n = record.failedStarts;
  return `backing off after ${n} failed start${n === 1 ? '' : 's'} in a row, ${retry}`;
}
