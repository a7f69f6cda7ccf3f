import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/decide/decide.js';
import { foldObservations } from '../../src/decide/observe.js';
import { noAttempts, type Action, type ActionOutcome, type PassAttempts } from '../../src/decide/actions.js';
import { recordAttempt, recordOutcome } from '../../src/decide/record.js';
import { emptyProcessState, hostRecord, type ProcessState } from '../../src/state/model.js';
import type { ProcessConfig } from '../../src/config/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { makeProcess as makeTestProcess, obs } from '../helpers/process-config.js';
import { probe, runPass } from './helpers/timeline.js';

const NOW = 1_000_000;
const STEP = { command: 'true', optional: false, timeoutMs: 1000 };
const HOOKS = {
  beforeFailover: [STEP],
  afterFailover: [STEP],
  onFailed: [STEP],
  onGivenUp: [STEP],
  onSplitBrain: [STEP],
};

/** A test process with one step in every hook list, so the plans show when each hook fires. */
function makeProcess(name: string, hosts: string[], overrides: Partial<ProcessConfig> = {}): ProcessConfig {
  return makeTestProcess(name, hosts, { hooks: HOOKS, ...overrides });
}
const ABC = ['A', 'B', 'C'];

/** Folds the observations into `state` and decides, as one pass round does. */
function plan(
  process: ProcessConfig,
  observations: Observation[],
  options: { state?: ProcessState; attempts?: PassAttempts; now?: number } = {},
) {
  const now = options.now ?? NOW;
  const state = foldObservations(process, options.state ?? emptyProcessState(), observations, now);
  return decide({ process, observations, state, attempts: options.attempts ?? noAttempts(), now });
}

/** Runs rounds of decide with scripted action results, as the pass runner does, without I/O. */
function simulate(
  process: ProcessConfig,
  observations: Observation[],
  results: Record<string, { ok: boolean; reason?: string; aborted?: boolean }>,
  state: ProcessState = emptyProcessState(),
) {
  let current = foldObservations(process, state, observations, NOW);
  let seen = observations;
  let attempts = noAttempts();
  const executed: Action[] = [];
  let last = decide({ process, observations: seen, state: current, attempts, now: NOW });
  for (let round = 0; round < 10; round++) {
    last = decide({ process, observations: seen, state: current, attempts, now: NOW });
    current = last.state;
    if (last.actions.length === 0) break;
    for (const action of last.actions) {
      executed.push(action);
      const key = action.type === 'hook' ? `hook:${action.hook}` : `${action.type}:${action.host}`;
      const scripted = results[key] ?? { ok: true };
      const fresh: Observation[] =
        action.type === 'start' && scripted.ok
          ? [obs.up(action.host, 1, NOW)]
          : action.type === 'stop' && scripted.ok
            ? [obs.down(action.host, NOW)]
            : [];
      const outcome: ActionOutcome = {
        action,
        ok: scripted.ok,
        ...(scripted.aborted ? { aborted: true } : {}),
        reason: scripted.reason ?? 'scripted',
        observations: fresh,
        durationMs: 5,
      };
      current = recordOutcome(process, current, outcome, NOW);
      attempts = recordAttempt(attempts, outcome);
      seen = [...seen.filter((o) => !fresh.some((f) => f.host === o.host)), ...fresh];
      if (!outcome.ok && action.type !== 'hook') break;
    }
  }
  return { executed: executed.map(describeAction), final: last, state: current };
}

/** 'start A', 'stop B', 'hook onFailed', 'switchover A<-B'. */
function describeAction(action: Action): string {
  if (action.type === 'hook') return `hook ${action.hook}`;
  if (action.type === 'switchover') return `switchover ${action.host}<-${action.fromHosts.join(',')}`;
  return `${action.type} ${action.host}`;
}

describe('decide: one instance up', () => {
  test('exactly one up: nothing to do', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.up('A'), obs.down('B'), obs.down('C')]);
    assert.deepEqual(result.actions, []);
    assert.equal(result.status, 'up');
    assert.equal(result.summary, 'Ostro: up on A (priority 1)');
    assert.equal(result.state.activeHost, 'A');
  });

  test('one up on a stand-by host: stays there (no preemption by default)', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.down('A'), obs.up('B', 2), obs.down('C')]);
    assert.deepEqual(result.actions, []);
    assert.equal(result.summary, 'Ostro: up on B (priority 2)');
  });

  test('a second pass over a settled world does nothing (level-triggered)', () => {
    const process = makeProcess('Ostro', ABC);
    const observations = [obs.up('A'), obs.down('B'), obs.down('C')];
    const first = plan(process, observations);
    const second = plan(process, observations, { state: first.state, now: NOW + 5000 });
    assert.deepEqual(second.actions, []);
    assert.equal(second.status, 'up');
  });
});

describe('decide: nothing up', () => {
  test('starts on the most preferred candidate', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.down('A'), obs.down('B'), obs.down('C')]);
    assert.deepEqual(result.actions.map(describeAction), ['start A']);
    assert.equal(result.status, 'down');
  });

  test('unreachable primary: starts on the first reachable candidate', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.unreachable('A'), obs.down('B'), obs.down('C')]);
    assert.deepEqual(result.actions.map(describeAction), ['start B']);
    assert.match(result.summary, /starting on B \(A: unreachable: host unreachable \(exit 255\)\)/);
  });

  test('error (exit 127) is treated like unreachable: never chosen, never counted', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.error('A'), obs.down('B')]);
    assert.deepEqual(result.actions.map(describeAction), ['start B']);
  });

  test('an unreachable instance is not stopped and not counted as up', () => {
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.unreachable('A'), obs.up('B', 2)]);
    assert.deepEqual(result.actions, []);
    assert.equal(result.state.activeHost, 'B');
  });

  test('start failure falls through across three candidates', () => {
    const run = simulate(makeProcess('Ostro', ABC), [obs.down('A'), obs.down('B'), obs.down('C')], {
      'start:A': { ok: false, reason: 'start failed, exit 1' },
      'start:B': { ok: false, reason: 'not up within 30 s after start' },
    });
    assert.deepEqual(run.executed, ['start A', 'start B', 'start C']);
    assert.equal(run.final.status, 'up');
    assert.equal(run.state.activeHost, 'C');
    assert.equal(run.state.counters.failedStarts, 2);
  });

  test('all candidates failed: failed with each host reason, on_failed fires once', () => {
    const run = simulate(makeProcess('Ostro', ABC), [obs.down('A'), obs.unreachable('B'), obs.down('C')], {
      'start:A': { ok: false, reason: 'start failed, exit 1' },
      'start:C': { ok: false, reason: 'start failed, exit 3' },
    });
    assert.deepEqual(run.executed, ['start A', 'start C', 'hook onFailed']);
    assert.equal(run.final.status, 'failed');
    assert.match(run.final.summary, /A: start failed, exit 1; B: unreachable: .*; C: start failed, exit 3/);
  });

  test('a hook list that is not configured is not planned', () => {
    const bare = makeTestProcess('Ostro', ['A', 'B']);
    const result = plan(bare, [obs.unreachable('A'), obs.unreachable('B')]);
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.actions, []);
  });

  test('all unreachable: failed without trying anything', () => {
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.unreachable('A'), obs.unreachable('B')]);
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.actions.map(describeAction), ['hook onFailed']);
  });

  test('a restart on the same host is not a failover; a start elsewhere is', () => {
    const up = plan(makeProcess('Ostro', ABC), [obs.up('A'), obs.down('B'), obs.down('C')]);
    const again = plan(makeProcess('Ostro', ABC), [obs.down('A'), obs.down('B'), obs.down('C')], {
      state: up.state,
    });
    assert.deepEqual(again.actions, [
      { type: 'start', host: 'A', fromHost: 'A', failover: false, reason: 'died on A', cause: 'died on A' },
    ]);
    assert.equal(again.summary, 'Ostro: died on A; restarting on A');
    const moved = plan(makeProcess('Ostro', ABC), [obs.unreachable('A'), obs.down('B'), obs.down('C')], {
      state: up.state,
    });
    assert.equal(moved.actions[0]?.type === 'start' && moved.actions[0].failover, true);
  });
});

describe('decide: split brain', () => {
  test('unequal priorities: keeps the lowest priority value, stops the other', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.up('A', 2), obs.up('B', 1), obs.down('C')]);
    assert.deepEqual(result.actions.map(describeAction), ['hook onSplitBrain', 'stop A']);
    assert.equal(result.status, 'split-brain');
    assert.equal(result.state.activeHost, 'B');
  });

  test('equal priorities: keeps the earlier candidate', () => {
    const result = plan(makeProcess('Ostro', ABC), [obs.up('A', 1), obs.up('B', 1), obs.up('C', 1)]);
    assert.deepEqual(result.actions.map(describeAction), ['hook onSplitBrain', 'stop B', 'stop C']);
  });

  test('healed split brain fires on_split_brain again and settles up', () => {
    const run = simulate(makeProcess('Ostro', ABC), [obs.up('A'), obs.up('B', 2), obs.down('C')], {});
    assert.deepEqual(run.executed, ['hook onSplitBrain', 'stop B', 'hook onSplitBrain']);
    assert.equal(run.final.status, 'up');
  });

  test('a stop that fails leaves split-brain without retrying it in the same pass', () => {
    const run = simulate(makeProcess('Ostro', ['A', 'B']), [obs.up('A'), obs.up('B', 2)], {
      'stop:B': { ok: false, reason: 'still not down' },
    });
    assert.deepEqual(run.executed, ['hook onSplitBrain', 'stop B']);
    assert.equal(run.final.status, 'split-brain');
    assert.match(run.final.summary, /could not stop the extras \(B: still not down\)/);
  });
});

describe('decide: check_count, priority wait, back-off', () => {
  test('check_count 3: waits until the active host was seen down three times', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { checkCount: 3 });
    let state = plan(process, [obs.up('A'), obs.down('B')]).state;
    for (const check of [1, 2]) {
      const result = plan(process, [obs.down('A'), obs.down('B')], { state, now: NOW + check * 1000 });
      assert.equal(result.status, 'waiting');
      assert.match(result.summary, new RegExp(`check ${check} of 3`));
      state = result.state;
    }
    const third = plan(process, [obs.down('A'), obs.down('B')], { state, now: NOW + 3000 });
    assert.deepEqual(third.actions.map(describeAction), ['start A']);
  });

  test('priority wait: a watcher of priority 3 waits 2 x priority_wait before starting', () => {
    const process = makeProcess('Ostro', ['B', 'A'], { priority: 3, priorityWaitMs: 20_000 });
    const first = plan(process, [obs.down('B'), obs.down('A')]);
    assert.equal(first.status, 'waiting');
    assert.match(first.summary, /priority 3 waits 40 s/);
    const later = plan(process, [obs.down('B'), obs.down('A')], { state: first.state, now: NOW + 40_000 });
    assert.deepEqual(later.actions.map(describeAction), ['start B']);
  });

  test('failed starts back off exponentially per host, capped', () => {
    const process = makeProcess('Ostro', ['A'], { backoffInitialMs: 1000, backoffMaxMs: 4000 });
    let state = emptyProcessState();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const now = NOW + i * 100_000;
      const folded = foldObservations(process, state, [obs.down('A')], now);
      const action = decide({
        process,
        observations: [obs.down('A')],
        state: folded,
        attempts: noAttempts(),
        now,
      }).actions[0]!;
      state = recordOutcome(
        process,
        folded,
        { action, ok: false, reason: 'exit 1', observations: [], durationMs: 0 },
        now,
      );
      delays.push(state.hosts.A!.retryAfter! - now);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 4000]);
    const waiting = plan(process, [obs.down('A')], { state, now: NOW + 300_000 + 1000 });
    assert.equal(waiting.status, 'waiting');
    assert.match(
      waiting.summary,
      /A: backing off after 4 failed starts in a row, retry in 3 s\); next start in 3 s$/,
    );
    assert.deepEqual(waiting.hold, { bound: 'backoff', until: NOW + 300_000 + 4000 });
  });

  test('min_uptime: a death soon after a verified start is an early death; it restarts in place', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { minUptimeMs: 10_000 });
    const started = {
      ...emptyProcessState(),
      activeHost: 'A',
      startedAt: NOW - 3000,
      status: 'up' as const,
      hosts: { A: { ...hostRecord(emptyProcessState(), 'A'), lastUpAt: NOW - 2000 } },
    };
    const first = plan(process, [obs.down('A'), obs.down('B')], { state: started });
    assert.equal(first.state.hosts.A!.earlyDeaths, 1);
    assert.equal(first.state.hosts.A!.failedStarts, 0);
    assert.equal(first.state.hosts.A!.retryAfter, null);
    assert.equal(first.state.hosts.A!.lastFailure?.kind, 'died-early');
    assert.deepEqual(first.actions.map(describeAction), ['start A']);
    assert.equal(first.summary, 'Ostro: died within 3 s of its start on A; restarting on A');
  });
});

describe('decide: flap damping and given-up', () => {
  const process = makeProcess('Ostro', ['A'], {
    maxRestarts: 3,
    restartWindowMs: 150_000,
    givenUpRetryMs: 600_000,
  });
  const flapping = {
    ...emptyProcessState(),
    activeHost: 'A',
    startTimes: [NOW - 30_000, NOW - 20_000, NOW - 10_000],
    status: 'down' as const,
  };

  test('more than max_restarts starts in the window: given-up with on_given_up', () => {
    const result = plan(process, [obs.down('A')], { state: flapping });
    assert.equal(result.status, 'given-up');
    assert.deepEqual(result.actions.map(describeAction), ['hook onGivenUp']);
    assert.equal(result.state.givenUpAt, NOW);
  });

  test('given-up stays quiet, then retries after given_up_retry', () => {
    const gaveUp = plan(process, [obs.down('A')], { state: flapping }).state;
    const quiet = plan(process, [obs.down('A')], { state: gaveUp, now: NOW + 60_000 });
    assert.deepEqual(quiet.actions, []);
    assert.match(quiet.summary, /retries in 540 s/);
    const retry = plan(process, [obs.down('A')], { state: gaveUp, now: NOW + 600_000 });
    assert.deepEqual(retry.actions.map(describeAction), ['start A']);
  });

  test('the slow retry is one start: a second start within restart_window gives up again', () => {
    const gaveUp = plan(process, [obs.down('A')], { state: flapping }).state;
    const retryAt = NOW + 600_000;
    const retry = plan(process, [obs.down('A')], { state: gaveUp, now: retryAt });
    const started = {
      ...retry.state,
      startTimes: [...retry.state.startTimes, retryAt],
      status: 'down' as const,
    };
    const again = plan(process, [obs.down('A')], { state: started, now: retryAt + 5000 });
    assert.equal(again.status, 'given-up');
    assert.deepEqual(again.actions.map(describeAction), ['hook onGivenUp']);
    const healthy = plan(process, [obs.down('A')], { state: started, now: retryAt + 151_000 });
    assert.deepEqual(healthy.actions.map(describeAction), ['start A'], 'restart_window later: a full budget');
  });

  test('given_up_retry never: given-up until reset', () => {
    const never = makeProcess('Ostro', ['A'], { maxRestarts: 3, givenUpRetryMs: null });
    const gaveUp = plan(never, [obs.down('A')], { state: flapping }).state;
    const later = plan(never, [obs.down('A')], { state: gaveUp, now: NOW + 86_400_000 });
    assert.match(later.summary, /never retries/);
    const reset = plan(never, [obs.down('A')], {
      state: { ...gaveUp, request: { type: 'reset', host: null, by: 'ops@x', at: NOW } },
      now: NOW + 86_400_000,
    });
    assert.deepEqual(reset.actions.map(describeAction), ['start A']);
    assert.equal(reset.state.request, null);
  });
});

describe('decide: failback, latch, maintenance, operator', () => {
  test('failback off: stays on the stand-by', () => {
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.down('A'), obs.up('B', 2)]);
    assert.deepEqual(result.actions, []);
  });

  test('failback on: moves back once the preferred host was healthy for failback_delay', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { failback: true, failbackDelayMs: 30_000 });
    const first = plan(process, [obs.down('A'), obs.up('B', 2)]);
    assert.deepEqual(first.actions, []);
    const later = plan(process, [obs.down('A'), obs.up('B', 2)], { state: first.state, now: NOW + 30_000 });
    assert.deepEqual(later.actions.map(describeAction), ['switchover A<-B']);
  });

  test('failback on: an operator move is not undone at once; failback waits failback_delay after it', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { failback: true, failbackDelayMs: 30_000 });
    let state = runPass(process, probe(process, []), emptyProcessState(), NOW - 60_000).state;
    state = runPass(process, probe(process, ['A']), state, NOW - 1000).state;
    const request = { type: 'move' as const, host: 'B', by: 'ops@x', at: NOW };
    const moved = runPass(process, probe(process, ['A']), { ...state, request }, NOW);
    assert.deepEqual(moved.actions, ['switchover B<-A']);
    assert.equal(moved.state.activeHost, 'B');
    const soon = runPass(process, probe(process, ['B']), moved.state, NOW + 10_000);
    assert.deepEqual(soon.actions, []);
    const later = runPass(process, probe(process, ['B']), soon.state, NOW + 30_000);
    assert.deepEqual(later.actions, ['switchover A<-B']);
  });

  test('latch: after one failover the process stops acting until reset', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { latch: true });
    const up = plan(process, [obs.up('A'), obs.down('B')]).state;
    const run = simulate(process, [obs.unreachable('A'), obs.down('B')], {}, up);
    assert.deepEqual(run.executed, ['start B']);
    assert.equal(run.state.latched, true);
    const after = plan(process, [obs.down('A'), obs.down('B')], { state: run.state, now: NOW + 5000 });
    assert.equal(after.status, 'latched');
    assert.deepEqual(after.actions, []);
  });

  test('maintenance: probes only, never acts', () => {
    const state = { ...emptyProcessState(), maintenance: true };
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.down('A'), obs.down('B')], { state });
    assert.equal(result.status, 'maintenance');
    assert.deepEqual(result.actions, []);
  });

  test('move: switchover to the target, refusing an unreachable one', () => {
    const process = makeProcess('Ostro', ['A', 'B', 'C']);
    const request = { type: 'move' as const, host: 'B', by: 'ops@x', at: NOW };
    const state = { ...emptyProcessState(), request };
    const moved = plan(process, [obs.up('A'), obs.down('B'), obs.down('C')], { state });
    assert.deepEqual(moved.actions.map(describeAction), ['switchover B<-A']);
    const refused = plan(process, [obs.up('A'), obs.unreachable('B'), obs.down('C')], { state });
    assert.deepEqual(refused.actions, []);
    assert.match(refused.summary, /move to B refused: unreachable/);
  });

  test('stop request: stops every instance and holds it stopped', () => {
    const state = {
      ...emptyProcessState(),
      request: { type: 'stop' as const, host: null, by: 'ops@x', at: NOW },
    };
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.up('A'), obs.down('B')], { state });
    assert.deepEqual(result.actions.map(describeAction), ['stop A']);
    assert.equal(result.state.maintenance, true);
  });
});

describe('decide: findings of the review', () => {
  test('move to a host that already runs it (split brain): stop the others, never start it twice', () => {
    const request = { type: 'move' as const, host: 'A', by: 'ops@x', at: NOW };
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.up('A'), obs.up('B', 2)], {
      state: { ...emptyProcessState(), request },
    });
    assert.deepEqual(result.actions.map(describeAction), ['stop B']);
    assert.equal(result.state.activeHost, 'A');
  });

  test('a refused move leaves maintenance (and everything else) as it was', () => {
    const request = { type: 'move' as const, host: 'B', by: 'ops@x', at: NOW };
    const state = { ...emptyProcessState(), maintenance: true, request };
    const result = plan(makeProcess('Ostro', ['A', 'B']), [obs.up('A'), obs.unreachable('B')], { state });
    assert.match(result.summary, /refused/);
    assert.equal(result.state.maintenance, true);
    assert.equal(result.state.request, null);
  });

  test('an operator move does not arm the latch; an automatic failover does', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { latch: true });
    const state = { ...emptyProcessState(), activeHost: 'A' };
    const moved = recordOutcome(
      process,
      state,
      {
        action: { type: 'switchover', host: 'B', fromHosts: ['A'], reason: 'move', operator: true },
        ok: true,
        reason: 'moved',
        observations: [],
        durationMs: 5,
      },
      NOW,
    );
    assert.equal(moved.latched, false);
    assert.equal(moved.counters.failovers, 0);
    const failedOver = recordOutcome(
      process,
      state,
      {
        action: { type: 'start', host: 'B', fromHost: 'A', failover: true, reason: 'down on A' },
        ok: true,
        reason: 'started',
        observations: [],
        durationMs: 5,
      },
      NOW,
    );
    assert.equal(failedOver.latched, true);
  });

  test('failback attempts do not use up the flap-damping budget', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { failback: true, maxRestarts: 2 });
    let state: ProcessState = { ...emptyProcessState(), activeHost: 'B' };
    for (let i = 0; i < 5; i++) {
      state = recordOutcome(
        process,
        state,
        {
          action: { type: 'switchover', host: 'A', fromHosts: ['B'], reason: 'failback' },
          ok: false,
          reason: 'start failed, exit 1',
          observations: [],
          durationMs: 5,
        },
        NOW + i,
      );
    }
    assert.deepEqual(state.startTimes, []);
    const failover = plan(process, [obs.down('A'), obs.down('B')], { state, now: NOW + 600_000 });
    assert.deepEqual(failover.actions.map(describeAction), ['start A']);
  });

  test('an aborted preflight abandons the failover: no other host, no start charged to the host', () => {
    const up = plan(makeProcess('Ostro', ABC), [obs.up('A'), obs.down('B'), obs.down('C')]).state;
    const run = simulate(
      makeProcess('Ostro', ABC),
      [obs.unreachable('A'), obs.down('B'), obs.down('C')],
      { 'start:B': { ok: false, aborted: true, reason: 'failover aborted: beforeFailover step 1 failed' } },
      up,
    );
    assert.deepEqual(run.executed, ['start B', 'hook onFailed']);
    assert.equal(run.final.status, 'failed');
    assert.match(run.final.summary, /failover aborted/);
    assert.equal(run.state.hosts.B?.failedStarts ?? 0, 0);
    assert.deepEqual(run.state.startTimes, []);
  });

  test('the hook run for a healed split brain is marked healed', () => {
    const run = simulate(makeProcess('Ostro', ['A', 'B']), [obs.up('A'), obs.up('B', 2)], {});
    assert.equal(run.final.status, 'up');
    const again = plan(makeProcess('Ostro', ['A', 'B']), [obs.up('A'), obs.down('B')], {
      state: { ...run.state, status: 'split-brain' },
    });
    const hook = again.actions[0];
    assert.equal(hook?.type === 'hook' && hook.healed, true);
  });
});
