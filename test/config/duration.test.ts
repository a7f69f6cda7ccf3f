/** Durations: bare numbers are seconds; ms, s, m, h suffixes; decimals allowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, tryParseDuration } from '../../src/config/duration.js';

test('durations in every unit', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10'), 10_000);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('0.5'), 500);
  assert.equal(parseDuration('1.5m'), 90_000);
});

test('malformed durations are rejected', () => {
  for (const bad of ['', 'soon', '-1s', '10 sec', '1d', 's']) assert.equal(tryParseDuration(bad), null, bad);
  assert.throws(() => parseDuration('ten'), /expected a duration like '500ms'.*got 'ten'/);
});
