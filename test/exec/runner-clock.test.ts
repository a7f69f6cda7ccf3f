/**
 * The runner clock's one promise: a command's latest start, in the runner's
 * clock, is never earlier than the moment the watcher stops waiting for it, so a
 * command still awaited is never refused, whatever the offset, the drift (up to
 * the allowance) and the delays of the probes; and it is tight to about one
 * round trip, so a command held up for longer is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DRIFT_ALLOWANCE, PROBES_KEPT, RunnerClock } from '../../src/exec/runner-clock.js';

/** A runner whose clock reads OFFSET ms ahead of ours at our time 0 and runs faster by DRIFT. */
const runnerTime = (offset: number, drift: number) => (ours: number) => ours + offset + drift * ours;

test('a latest start is never before the moment the watcher gives up, and within one round trip of it', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 1000, max: 1e9, noNaN: true }), // the runner's clock when it started (never negative)
      fc.double({ min: -DRIFT_ALLOWANCE, max: DRIFT_ALLOWANCE, noNaN: true }),
      // Probes: the gap before each send, the delay until the runner reads its clock, the way back.
      fc.array(fc.tuple(fc.nat(60_000), fc.nat(500), fc.nat(500)), { minLength: 1, maxLength: 8 }),
      fc.nat(120_000), // from the last probe's answer to the command's send
      fc.integer({ min: 1, max: 600_000 }), // the command's timeout
      fc.double({ min: 0, max: 1e6, noNaN: true }), // our clock when the runner started
      (atStart, drift, probes, wait, timeoutMs, start) => {
        const remote = runnerTime(atStart - start, drift);
        const clock = new RunnerClock();
        let ours = start;
        let worstTrip = 0;
        for (const [gap, there, back] of probes) {
          const sent = ours + gap;
          clock.observe(Math.floor(sent), Math.floor(remote(sent + there)));
          ours = sent + there + back;
          worstTrip = Math.max(worstTrip, there + back);
        }
        const sent = ours + wait;
        const latest = clock.latestStart(sent, timeoutMs)!;
        const givesUp = remote(sent + timeoutMs);
        // The runner refuses when floor(its clock) > latest.
        assert.ok(Math.floor(givesUp) <= latest, `latest ${latest} before the give-up ${givesUp}`);
        // Loose by at most the probe's trip, the drift allowance since it, and the rounding.
        const span = sent + timeoutMs - start;
        assert.ok(
          latest - givesUp <= worstTrip + 2 * DRIFT_ALLOWANCE * span + 3,
          `latest ${latest} far past ${givesUp}`,
        );
      },
    ),
    { numRuns: 2000 },
  );
});

test('no probe yet: no latest start (the command is not held to one)', () => {
  assert.equal(new RunnerClock().latestStart(1000, 500), null);
  const clock = new RunnerClock();
  clock.observe(Number.NaN, 5);
  assert.equal(clock.latestStart(1000, 500), null, 'a runner that sent no clock reading');
});

test('the tightest recent bound is used; after a jump of our clock, the recent probes take over', () => {
  const clock = new RunnerClock();
  clock.observe(0, 1300); // the greeting: runner start-up included, bound 1300
  assert.equal(clock.latestStart(0, 0), 1301);
  clock.observe(10, 1210); // a quick probe: bound 1200
  assert.equal(clock.latestStart(10, 0), 10 + 1200 + 1);
  clock.observe(20, 1500); // a slow one: the quick one still rules
  assert.equal(clock.latestStart(20, 0), 20 + 1200 + 1 + 1); // + the drift allowance over 10 ms, rounded up
  // Our clock stood still for 10 s (this machine suspended): the offset is now 11,200. Once the
  // last PROBES_KEPT probes all saw it, the old bound is gone.
  for (let i = 0; i < PROBES_KEPT; i++) clock.observe(30 + i, 11_230 + i);
  assert.equal(clock.latestStart(40, 0), 40 + 11_200 + 1 + 1);
  clock.reset();
  assert.equal(clock.latestStart(40, 0), null, 'reset: no latest start until the next probe');
});
