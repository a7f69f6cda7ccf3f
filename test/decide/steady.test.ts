/**
 * decide/steady.ts: a process called steady must stay quiet. Whatever its config,
 * stored state and checks, once a cycle says steady, every later cycle with the same
 * checks (at any times, in any number) neither acts, nor notes a death, nor changes
 * anything durable; so a watcher that skips those cycles loses nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide } from '../../src/decide/decide.js';
import { noAttempts } from '../../src/decide/actions.js';
import { foldProbe } from '../../src/decide/observe.js';
import { isSteady, steadyHorizonMs } from '../../src/decide/steady.js';
import { durablyEqual } from '../../src/state/durable-equal.js';
import { emptyProcessState, type ProcessState } from '../../src/state/model.js';
import type { ProcessConfig } from '../../src/config/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { makeProcess } from '../helpers/process-config.js';
import { NOW, observationsArb, processArb, stateArb } from './helpers/decide-arbitraries.js';
import { probe } from './helpers/timeline.js';

/** One cycle with no actions carried out: fold, decide; null when it would act or noted a death. */
function quietCycle(process: ProcessConfig, stored: ProcessState, observations: Observation[], now: number) {
  const seen = observations.map((o) => ({ ...o, at: now }));
  const folded = foldProbe(process, stored, seen, now);
  const plan = decide({ process, observations: seen, state: folded.state, attempts: noAttempts(), now });
  if (folded.death !== null || plan.actions.length > 0) return null;
  return plan.state;
}

/** Runs cycles until steady (at most `cycles`), one interval apart; the steady state and time, or null. */
function settle(process: ProcessConfig, stored: ProcessState, observations: Observation[], cycles: number) {
  let state = stored;
  for (let i = 0; i < cycles; i++) {
    const now = NOW + i * 1000;
    const next = quietCycle(process, state, observations, now);
    if (next === null) return null;
    if (isSteady(process, observations, state, next, now)) return { state: next, now };
    state = next;
  }
  return null;
}

describe('steady processes (decide/steady.ts)', () => {
  test('steady stays quiet: no later cycle with the same checks acts or changes anything durable', () => {
    let steadyCases = 0;
    const arb = processArb.chain((process) =>
      fc.record({
        process: fc.constant(process),
        observations: observationsArb(process, false, false),
        stored: stateArb(process, false),
        later: fc.array(fc.integer({ min: 1, max: steadyHorizonMs(process) }), {
          minLength: 1,
          maxLength: 6,
        }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ process, observations, stored, later }) => {
        const settled = settle(process, stored, observations, 3);
        if (settled === null) return;
        steadyCases++;
        let state = settled.state;
        for (const offset of [...later].sort((a, b) => a - b)) {
          const next = quietCycle(process, state, observations, settled.now + offset);
          assert.ok(next !== null, `a cycle ${offset} ms after steady acted or noted a death`);
          assert.ok(
            durablyEqual(settled.state, next, process),
            `a cycle ${offset} ms after steady changed state`,
          );
          state = next;
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(steadyCases > 20, `only ${steadyCases} of 400 cases became steady: the property tested little`);
  });

  test('up on the preferred host past min_uptime, stand-by down: steady', () => {
    const process = makeProcess('Svc', ['A', 'B'], { minUptimeMs: 5000 });
    const settled = settle(process, emptyProcessState(), probe(process, ['A']), 10);
    assert.ok(settled, 'never steady');
  });

  test('an instance younger than min_uptime is not steady yet (its sightings are durable)', () => {
    const process = makeProcess('Svc', ['A', 'B'], { minUptimeMs: 60_000 });
    const observations = probe(process, ['A']);
    const started: ProcessState = { ...emptyProcessState(), activeHost: 'A', startedAt: NOW - 1000 };
    const next = quietCycle(process, started, observations, NOW)!;
    assert.equal(isSteady(process, observations, started, next, NOW), false);
  });

  test('down everywhere: not steady while a start is due or held back by back-off', () => {
    const process = makeProcess('Svc', ['A', 'B']);
    assert.equal(settle(process, emptyProcessState(), probe(process, []), 5), null);
  });

  test('up on a stand-by while the preferred host is back (failback pending): not steady', () => {
    const process = makeProcess('Svc', ['A', 'B'], { failback: true, failbackDelayMs: 30_000 });
    assert.equal(settle(process, emptyProcessState(), probe(process, ['B']), 5), null);
  });

  test('in maintenance: steady (nothing happens until a check or an operator says otherwise)', () => {
    const process = makeProcess('Svc', ['A', 'B']);
    const stored: ProcessState = { ...emptyProcessState(), maintenance: true };
    assert.ok(settle(process, stored, probe(process, []), 5));
  });
});
