/** Which slots are due (pure): catch-up, missed slots, overlap skip/queue, first sight. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobConfig } from '../../src/jobs/job-config.js';
import { emptyJobState, type JobState } from '../../src/jobs/job-state.js';
import { planSlots, slotsBetween } from '../../src/jobs/schedule.js';
import { parseCron, type CronExpression } from '../../src/jobs/cron.js';

process.env.TZ = 'UTC';

/** A job every `everyMs` with catch_up 60 s, overlap skip. */
function job(overrides: Partial<JobConfig> = {}): JobConfig {
  return {
    name: 'J',
    source: { file: 't.cfg', line: 1 },
    timing: { kind: 'every', everyMs: 30_000 },
    candidates: [{ host: 'A', rank: 1, transport: 'local', command: 'true' }],
    transport: 'local',
    ssh: { port: 22, verifyHostKey: true, runner: true, connectTimeoutMs: 5000 },
    timeoutMs: 600_000,
    withProcess: null,
    overlap: 'skip',
    catchUpMs: 60_000,
    warnAfter: 3,
    sticky: false,
    ...overrides,
  };
}

const T = Date.parse('2026-11-29T12:00:00Z');

/** A record whose last claimed slot is `lastSlot`. */
function claimed(lastSlot: number | null, running: JobState['running'] = null): JobState {
  return { ...emptyJobState(), lastSlot, running };
}

test('every: slots are multiples of the period since the epoch, the same on every watcher', () => {
  assert.deepEqual(slotsBetween({ kind: 'every', everyMs: 30_000 }, T, T + 90_000), [
    T + 30_000,
    T + 60_000,
    T + 90_000,
  ]);
});

test('first sight: only the latest slot, if within catch_up; a new daily job waits for its time', () => {
  assert.deepEqual(planSlots(job(), emptyJobState(), T + 10_000), { run: T, skipped: [], claim: T });
  const daily = job({
    timing: { kind: 'schedule', cron: parseCron('0 3 * * *') as CronExpression, text: '' },
  });
  assert.deepEqual(planSlots(daily, emptyJobState(), T), { run: null, skipped: [], claim: null });
});

test('the next slot is due at its time, not before; a claimed slot is not due again', () => {
  assert.equal(planSlots(job(), claimed(T), T + 29_999).run, null);
  assert.equal(planSlots(job(), claimed(T), T + 30_000).run, T + 30_000);
  assert.equal(planSlots(job(), claimed(T + 30_000), T + 45_000).claim, null);
});

test('after a takeover: slots missed less than catch_up ago run late, oldest first; older ones are missed', () => {
  const plan = planSlots(job(), claimed(T), T + 100_000);
  // Slots T+30 (70 s late) is missed; T+60 (40 s late) runs now; T+90 waits for the next tick.
  assert.deepEqual(plan, {
    run: T + 60_000,
    skipped: [{ slot: T + 30_000, why: 'missed' }],
    claim: T + 60_000,
  });
  assert.equal(planSlots(job(), claimed(T + 60_000), T + 100_000).run, T + 90_000);
});

test('overlap: skip passes over slots due during a run, queue keeps them for after it', () => {
  const running = { slot: T, startedAt: T, by: 'w1', deadline: T + 600_000 };
  assert.deepEqual(planSlots(job(), claimed(T, running), T + 31_000), {
    run: null,
    skipped: [{ slot: T + 30_000, why: 'overlap' }],
    claim: T + 30_000,
  });
  const queue = job({ overlap: 'queue' });
  assert.deepEqual(planSlots(queue, claimed(T, running), T + 31_000), {
    run: null,
    skipped: [],
    claim: null,
  });
  assert.equal(planSlots(queue, claimed(T, null), T + 40_000).run, T + 30_000);
});

test('a claim whose runner died counts as running until its deadline, then no longer', () => {
  const running = { slot: T, startedAt: T, by: 'dead', deadline: T + 35_000 };
  assert.equal(planSlots(job(), claimed(T, running), T + 31_000).run, null);
  assert.equal(planSlots(job({ overlap: 'queue' }), claimed(T, running), T + 36_000).run, T + 30_000);
});
