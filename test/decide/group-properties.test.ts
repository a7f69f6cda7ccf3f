/**
 * Property-based tests of the group rules (issue 13, fast-check): the random worlds of
 * decide-properties, with the process made a group and some of its `down` hosts partial.
 * Replay a failure with HV_FC_SEED=<seed> HV_FC_PATH=<path> (printed on failure).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../src/decide/decide.js';
import type { Action } from '../../src/decide/actions.js';
import type { Observation } from '../../src/probe/observation.js';
import { NOW, worldArb, type World } from './helpers/decide-arbitraries.js';

const SEED = process.env.HV_FC_SEED ? Number(process.env.HV_FC_SEED) : undefined;
const PATH = process.env.HV_FC_PATH;

/** A world whose process is a group of two members, with some `down` hosts partial. */
const groupWorldArb: fc.Arbitrary<World> = worldArb().chain((world) =>
  fc
    .array(fc.boolean(), { minLength: world.observations.length, maxLength: world.observations.length })
    .map((flags): World => {
      const members = ['a', 'b'].map((name) => ({ ...world.process, name, group: 'g' }));
      const observations = world.observations.map((o, i): Observation =>
        o.kind === 'down' && flags[i] ? { ...o, partial: true, reason: 'partial: a up, b down' } : o,
      );
      return { ...world, process: { ...world.process, name: 'g', members }, observations };
    }),
);

const moves = (a: Action) => a.type === 'start' || a.type === 'switchover';

test('groups: a partial host is stopped before any start, a failed stop there blocks starts, switchovers stop first', () => {
  const details = fc.check(
    fc.property(groupWorldArb, (world) => {
      const plan = decide({ ...world, now: NOW });
      const partial = world.observations.filter((o) => o.partial).map((o) => o.host);
      const stuck = partial.filter((h) => world.attempts.stopFailed[h] !== undefined);
      plan.actions.forEach((action, index) => {
        if (action.type === 'switchover')
          assert.equal(action.stopFirst, true, 'a group switchover stops first');
        if (!moves(action)) return;
        assert.deepEqual(stuck, [], `a start while the partial group on ${stuck.join(', ')} did not stop`);
        for (const host of partial) {
          const stop = plan.actions.findIndex((a) => a.type === 'stop' && a.host === host);
          assert.ok(
            stop >= 0 && stop < index,
            `${action.type} on ${action.host} before partial ${host} is stopped`,
          );
        }
      });
    }),
    { numRuns: 5000, ...(SEED !== undefined ? { seed: SEED } : {}), ...(PATH ? { path: PATH } : {}) },
  );
  if (details.failed) {
    const error =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(
      `${fc.defaultReportMessage(details) ?? 'property failed'}\nerror: ${error}\nreplay: HV_FC_SEED=${details.seed} HV_FC_PATH=${details.counterexamplePath ?? ''}`,
    );
  }
  assert.ok(details.numRuns > 0);
});
