/**
 * Which slots of a job are due (pure: no I/O, no clock). Slots are the times
 * a job should run: multiples of `every` since the epoch, or the minutes a
 * cron expression matches. Every watcher computes the same slots, so the
 * shared record's `lastSlot` says exactly which ones were taken.
 */
import { nextCronTime } from './cron.js';
import type { JobConfig, JobTiming } from './job-config.js';
import type { JobState } from './job-state.js';

/** At most this many slots are looked at in one call (a long outage: older ones are missed anyway). */
const MAX_SLOTS = 1000;

/** The first slot strictly after `after` (epoch ms), or null (a cron that never matches). */
export function nextSlot(timing: JobTiming, after: number): number | null {
  if (timing.kind === 'every') return (Math.floor(after / timing.everyMs) + 1) * timing.everyMs;
  return nextCronTime(timing.cron, after);
}

/** The slots in (after, upTo], oldest first, at most MAX_SLOTS (the newest ones). */
export function slotsBetween(timing: JobTiming, after: number, upTo: number): number[] {
  let from = after;
  if (timing.kind === 'every') {
    // Skip straight to the newest MAX_SLOTS.
    from = Math.max(after, upTo - MAX_SLOTS * timing.everyMs);
    from = Math.floor(from / timing.everyMs) * timing.everyMs;
    if (from < after) from = after;
  }
  const slots: number[] = [];
  for (let slot = nextSlot(timing, from); slot !== null && slot <= upTo; slot = nextSlot(timing, slot)) {
    slots.push(slot);
    if (slots.length > MAX_SLOTS) slots.shift();
  }
  return slots;
}

/** Why a slot was passed over. */
export type SkipReason = 'missed' | 'overlap';

export interface SlotPlan {
  /** The slot to run now, or null. */
  run: number | null;
  /** Slots passed over, with why. */
  skipped: Array<{ slot: number; why: SkipReason }>;
  /** The new `lastSlot` to claim (compare-and-set), or null when nothing changes. */
  claim: number | null;
}

/** True while a claimed run may still be going (ours, or a runner that died before its deadline). */
export function isBusy(state: JobState, now: number): boolean {
  return state.running !== null && now < state.running.deadline;
}

/**
 * Decides which slot runs now: the oldest due slot not older than `catch_up`.
 * Slots older than that are missed; slots due while a run is in progress are
 * skipped (`overlap = skip`) or wait for it to finish (`overlap = queue`).
 * Without a record, only the latest slot counts (a new job does not make up the past).
 */
export function planSlots(job: JobConfig, state: JobState, now: number): SlotPlan {
  const due =
    state.lastSlot === null
      ? slotsBetween(job.timing, now - Math.max(job.catchUpMs, 1), now).slice(-1)
      : slotsBetween(job.timing, state.lastSlot, now);
  const busy = isBusy(state, now);
  const skipped: SlotPlan['skipped'] = [];
  for (const slot of due) {
    if (now - slot > job.catchUpMs) {
      skipped.push({ slot, why: 'missed' });
      continue;
    }
    if (busy) {
      if (job.overlap === 'queue') break;
      skipped.push({ slot, why: 'overlap' });
      continue;
    }
    return { run: slot, skipped, claim: slot };
  }
  return { run: null, skipped, claim: skipped.length > 0 ? skipped[skipped.length - 1]!.slot : null };
}

/** When the job runs next (for status): the first slot after the claimed one and after `now`'s last. */
export function nextRunAt(job: JobConfig, state: JobState, now: number): number | null {
  const after = Math.max(state.lastSlot ?? -Infinity, now - job.catchUpMs);
  return nextSlot(job.timing, Number.isFinite(after) ? after : now);
}
