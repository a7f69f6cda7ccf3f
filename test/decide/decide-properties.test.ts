/**
 * Property-based tests of decide/ (fast-check): random configs, probes, stored states and attempt
 * histories, checked against the invariants every plan must keep (issue 11). About 102,000
 * generated cases in all.
 *
 * A failure prints the counterexample, its seed and path. Replay exactly that case with
 *   HV_FC_SEED=<seed> HV_FC_PATH=<path> node --test dist/test/decide/decide-properties.test.js
 * (HV_FC_SEED alone reruns the whole sequence of a seed; HV_FC_RUNS=<n> changes the runs of each
 * property, e.g. 1000000 for a long local hunt).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decide } from '../../src/decide/decide.js';
import type { Action, ActionOutcome, PassAttempts, Plan } from '../../src/decide/actions.js';
import { foldHostObservations, foldObservations } from '../../src/decide/observe.js';
import { recordAttempt, recordOutcome } from '../../src/decide/record.js';
import { hostRecord, type ProcessState } from '../../src/state/model.js';
import type { ProcessConfig } from '../../src/config/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { NOW, worldArb, type World } from './helpers/decide-arbitraries.js';

const RUNS = process.env.HV_FC_RUNS ? Number(process.env.HV_FC_RUNS) : undefined;
const SEED = process.env.HV_FC_SEED ? Number(process.env.HV_FC_SEED) : undefined;
const PATH = process.env.HV_FC_PATH;

/** Runs a property; on failure fails the test with fast-check's report and the replay command. */
function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  const details = fc.check(fc.property(arb, predicate), {
    numRuns: RUNS ?? numRuns,
    ...(SEED !== undefined ? { seed: SEED } : {}),
    ...(PATH !== undefined ? { path: PATH } : {}),
    endOnFailure: true,
  });
  if (!details.failed) {
    assert.ok(details.numRuns > 0, 'the property ran no case');
    return;
  }
  const replay = `HV_FC_SEED=${details.seed} HV_FC_PATH=${details.counterexamplePath ?? ''}`;
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  assert.fail(
    `${fc.defaultReportMessage(details) ?? 'property failed'}\nerror: ${error}\nreplay: ${replay} node --test ${process.argv[1]}`,
  );
}

/** Starts, stops and switchovers: what "acting" means (hooks only report). */
function acts(plan: Plan): Action[] {
  return plan.actions.filter((a) => a.type !== 'hook');
}

function decideWorld(world: World): Plan {
  return decide({ ...world, now: NOW });
}

function kindOf(world: World, host: string): Observation['kind'] | undefined {
  return world.observations.find((o) => o.host === host)?.kind;
}

/** The hosts that may take a start now, best first, by the rules as the README states them. */
function eligible(world: World): string[] {
  const { process, state, attempts } = world;
  return process.candidates
    .map((c) => c.host)
    .filter((host) => {
      if (kindOf(world, host) !== 'down' || attempts.startFailed[host] !== undefined) return false;
      const record = hostRecord(state, host);
      if (record.retryAfter === null) return true;
      const cap = record.lastFailure ? record.lastFailure.at + process.backoffMaxMs : record.retryAfter;
      return Math.min(record.retryAfter, cap) <= NOW;
    });
}

describe('decide: properties', () => {
  test('structure: at most one start per plan, never on a host that is not down, stops only of running extras', () => {
    check(
      worldArb(),
      (world) => {
        const plan = decideWorld(world);
        const starts = plan.actions.filter((a) => a.type === 'start' || a.type === 'switchover');
        assert.ok(starts.length <= 1, `two starts in one plan: ${JSON.stringify(starts)}`);
        for (const start of starts) {
          assert.equal(kindOf(world, start.host), 'down', `start on ${start.host}, which is not down`);
        }
        const up = world.observations.filter((o) => o.kind === 'up').map((o) => o.host);
        const stops = plan.actions.flatMap((a) => (a.type === 'stop' ? [a.host] : []));
        for (const host of stops) assert.ok(up.includes(host), `stop of ${host}, which is not up`);
        if (world.state.request?.type !== 'stop' && up.length > 0) {
          assert.ok(
            up.some((h) => !stops.includes(h)),
            `every running instance stopped: ${stops.join(', ')}`,
          );
        }
        assert.ok(plan.summary.startsWith(`${world.process.name}: `));
        assert.equal(plan.state.status, plan.status);
      },
      25_000,
    );
  });

  test('holds: maintenance, given-up before its retry and latched never act', () => {
    const held = fc
      .tuple(worldArb({ requests: false }), fc.constantFrom('maintenance', 'given-up', 'latched'))
      .map(([world, hold]): World => {
        const { process } = world;
        const retry = process.givenUpRetryMs;
        const state: ProcessState =
          hold === 'maintenance'
            ? { ...world.state, maintenance: true }
            : hold === 'latched'
              ? { ...world.state, latched: true, maintenance: false }
              : {
                  ...world.state,
                  maintenance: false,
                  givenUpAt: retry === null ? NOW - 1_000_000 : NOW - Math.floor(retry / 2),
                };
        return { ...world, state };
      });
    check(
      held,
      (world) => {
        const plan = decideWorld(world);
        assert.deepEqual(acts(plan), [], `acted while ${plan.status}`);
        assert.ok(['maintenance', 'given-up', 'latched'].includes(plan.status), plan.status);
      },
      10_000,
    );
  });

  test('nothing up: a start on the best eligible host, or the bound that holds it and until when', () => {
    const world = worldArb({ requests: false, noneUp: true }).map((w): World => ({
      ...w,
      state: { ...w.state, maintenance: false, latched: false, givenUpAt: null },
    }));
    check(
      world,
      (w) => {
        const plan = decideWorld(w);
        const candidates = eligible(w);
        const start = acts(plan)[0];
        if (start) {
          assert.equal(start.type, 'start');
          assert.equal(start.host, candidates[0], `started on ${start.host}, best eligible ${candidates[0]}`);
          assert.equal(plan.hold, undefined);
          return;
        }
        assert.ok(plan.hold, `no start and no hold: ${plan.summary}`);
        const { bound, until } = plan.hold;
        if (bound === 'backoff' || bound === 'no_candidate') {
          assert.deepEqual(candidates, [], `held (${bound}) while ${candidates.join(', ')} could take it`);
        }
        if (bound === 'backoff') {
          assert.ok(until !== null && until > NOW, `back-off until ${until}`);
          assert.ok(until <= NOW + w.process.backoffMaxMs, `back-off beyond backoff_max: ${until - NOW} ms`);
          assert.match(plan.summary, /next start in \d+ s$/);
        }
        if (bound === 'priority_wait') assert.ok(until !== null && until > NOW);
        if (bound === 'flap_damping') {
          assert.equal(plan.status, 'given-up');
          const recent = w.state.startTimes.filter((t) => t > NOW - w.process.restartWindowMs);
          assert.ok(recent.length >= w.process.maxRestarts);
          assert.ok(candidates.length > 0, 'gave up although no start would have been made');
        }
        if (bound === 'failover_aborted') assert.ok(w.attempts.failoverAborted !== undefined);
        if (bound === 'check_count') assert.ok(w.process.checkCount > 1);
      },
      25_000,
    );
  });

  test('idempotence: after a plan succeeds, deciding again does nothing more', () => {
    check(
      worldArb({ requests: false, rankPriority: true }),
      (world) => {
        let current = { ...world };
        // Failback may follow a healed split brain in the next round; without failback one round settles.
        const rounds = world.process.failback ? 2 : 1;
        for (let round = 0; round < rounds; round++) {
          const plan = decideWorld(current);
          if (acts(plan).length === 0) return;
          current = applySuccess(current, plan);
        }
        const last = decideWorld(current);
        assert.deepEqual(acts(last), [], `still acting after success: ${last.summary}`);
      },
      20_000,
    );
  });

  test('idempotence with operator requests: a move or start carried out is not undone or repeated', () => {
    const world = fc
      .tuple(worldArb({ requests: false, rankPriority: true }), fc.constantFrom('move', 'start'), fc.nat(4))
      .map(([w, type, index]): World => {
        const host = w.process.candidates[index % w.process.candidates.length]!.host;
        const request = { type, host, by: 'ops@test', at: NOW } as const;
        const process = { ...w.process, failbackDelayMs: Math.max(1000, w.process.failbackDelayMs) };
        return { ...w, process, state: { ...w.state, request } };
      });
    check(
      world,
      (w) => {
        const plan = decideWorld(w);
        if (acts(plan).length === 0) return;
        const next = decideWorld(applySuccess(w, plan));
        assert.deepEqual(acts(next), [], `after "${plan.summary}": ${next.summary}`);
      },
      10_000,
    );
  });

  test('a death is noted once: folding the same probe again and again notes at most one failure per host', () => {
    check(
      worldArb({ requests: false }),
      (world) => {
        let state = world.state;
        const noted: Record<string, number> = {};
        for (let fold = 1; fold <= 4; fold++) {
          const next = foldObservations(world.process, state, world.observations, NOW + fold * 500);
          for (const c of world.process.candidates) {
            const before = hostRecord(state, c.host);
            const after = hostRecord(next, c.host);
            if (after.lastFailure !== before.lastFailure) noted[c.host] = (noted[c.host] ?? 0) + 1;
            assert.ok(after.earlyDeaths - before.earlyDeaths <= 1);
          }
          state = next;
        }
        for (const [host, count] of Object.entries(noted))
          assert.ok(count <= 1, `${host}: ${count} deaths noted`);
      },
      12_000,
    );
  });
});

/** The world after every action of `plan` succeeded, as the pass runner records it. */
function applySuccess(world: World, plan: Plan): World {
  let state = plan.state;
  let attempts: PassAttempts = world.attempts;
  let observations = world.observations;
  for (const action of plan.actions) {
    const fresh = successObservations(world.process, action);
    const outcome: ActionOutcome = { action, ok: true, reason: 'ok', observations: fresh, durationMs: 5 };
    state = foldHostObservations(recordOutcome(world.process, state, outcome, NOW), fresh, NOW);
    attempts = recordAttempt(attempts, outcome);
    observations = [...observations.filter((o) => !fresh.some((f) => f.host === o.host)), ...fresh];
  }
  return { ...world, state, attempts, observations };
}

/** What the hosts an action touched report after it succeeded (an instance reports its rank). */
function successObservations(process: ProcessConfig, action: Action): Observation[] {
  const up = (host: string): Observation => {
    const rank = process.candidates.find((c) => c.host === host)!.rank;
    return { host, kind: 'up', priority: rank, exitCode: rank, at: NOW, durationMs: 1 };
  };
  const down = (host: string): Observation => ({ host, kind: 'down', exitCode: 0, at: NOW, durationMs: 1 });
  if (action.type === 'start') return [up(action.host)];
  if (action.type === 'stop') return [down(action.host)];
  if (action.type === 'switchover') return [up(action.host), ...action.fromHosts.map(down)];
  return [];
}
