/** The cron parser and next-time search (local time; the test process runs with TZ=UTC). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextCronTime, parseCron, type CronExpression } from '../../src/jobs/cron.js';

process.env.TZ = 'UTC';

/** Parses or fails the test. */
function cron(text: string): CronExpression {
  const parsed = parseCron(text);
  assert.notEqual(typeof parsed, 'string', String(parsed));
  return parsed as CronExpression;
}

/** The next match after an ISO time, as ISO. */
function next(text: string, after: string): string | null {
  const at = nextCronTime(cron(text), Date.parse(after));
  return at === null ? null : new Date(at).toISOString();
}

test('steps, ranges, lists and names', () => {
  assert.equal(next('*/5 * * * *', '2026-11-29T12:03:10Z'), '2026-11-29T12:05:00.000Z');
  assert.equal(next('*/5 * * * *', '2026-11-29T12:05:00Z'), '2026-11-29T12:10:00.000Z');
  assert.equal(next('0 3 * * *', '2026-11-29T12:00:00Z'), '2026-11-30T03:00:00.000Z');
  assert.equal(next('30 9-17/4 * * mon-fri', '2026-11-28T00:00:00Z'), '2026-11-30T09:30:00.000Z');
  assert.equal(next('0 0 1 jan,jul *', '2026-11-29T00:00:00Z'), '2027-01-01T00:00:00.000Z');
  assert.equal(next('0 12 29 feb *', '2026-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z');
  assert.equal(next('0 0 * * 7', '2026-11-29T00:00:00Z'), '2026-12-06T00:00:00.000Z'); // 7 = Sunday
});

test('day of month and day of week restricted together: either matches (Vixie cron)', () => {
  // 2026-12-01 is a Tuesday; the 13th is a Sunday.
  assert.equal(next('0 0 13 * 2', '2026-11-30T00:00:00Z'), '2026-12-01T00:00:00.000Z');
  assert.equal(next('0 0 13 * 2', '2026-12-09T00:00:00Z'), '2026-12-13T00:00:00.000Z');
});

test('invalid expressions say what is wrong', () => {
  assert.equal(parseCron('* * * *'), 'expected 5 fields, got 4');
  assert.equal(parseCron('60 * * * *'), "minute '60' is outside 0-59");
  assert.equal(parseCron('* * * * */0'), "bad step in day of week '*/0'");
  assert.equal(parseCron('5-1 * * * *'), "minute '5-1' is outside 0-59");
  assert.equal(parseCron('* * * foo *'), "month 'foo' is outside 1-12");
});

test('a day that never comes: no next time', () => {
  assert.equal(next('0 0 31 feb *', '2026-01-01T00:00:00Z'), null);
});
