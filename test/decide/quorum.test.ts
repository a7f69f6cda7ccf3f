/**
 * Issue 12 in decide/: the merged view of the live watchers (agreement,
 * disagreement, stale peers, too few live watchers), split brain on the merged
 * view, and fencing before a failover from a host that is not confirmed down.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/decide/decide.js';
import { foldObservations } from '../../src/decide/observe.js';
import { noAttempts, type Action, type ActionOutcome, type Plan } from '../../src/decide/actions.js';
import { recordAttempt, recordOutcome } from '../../src/decide/record.js';
import type { ProcessConfig } from '../../src/config/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { buildMergedView, type MergedView } from '../../src/quorum/merged-view.js';
import { emptyProcessState, type OperatorRequestType, type ProcessState } from '../../src/state/model.js';
import { makeProcess, obs } from '../helpers/process-config.js';

const NOW = 5_000_000;
const HOSTS = ['A', 'B', 'C'];
const plain = makeProcess('Ostro', HOSTS);

/** Ostro with a `fence` command per host. */
function fenced(required = true): ProcessConfig {
  const process = makeProcess('Ostro', HOSTS, { fencing: { timeoutMs: 5000, required } });
  for (const c of process.candidates) c.commands.fence = `fence ${c.host}`;
  return process;
}

/** Ostro known to run on A (up there at the last pass). */
function runningOnA(process: ProcessConfig): ProcessState {
  const before = foldObservations(process, emptyProcessState(), [obs.up('A', 1, NOW - 60_000)], NOW - 60_000);
  return { ...before, status: 'up', activeHost: 'A' };
}

/** One observation of `host` of `kind`, taken at `at`. */
function seen(host: string, kind: Observation['kind'], at: number): Observation {
  return kind === 'up' ? obs.up(host, 1, at) : obs[kind](host, at);
}

/** A view where each peer saw `kinds` (host → up/down/unreachable) `ageMs` ago. */
function viewOf(
  peers: Array<Record<string, Observation['kind']>>,
  ageMs = 1000,
  quorum: number | null = null,
): MergedView {
  const published = new Map(
    peers.map((kinds, i) => [
      `peer${i}`,
      {
        at: NOW - ageMs,
        observations: Object.entries(kinds).map(([host, kind]) => seen(host, kind, NOW - ageMs)),
      },
    ]),
  );
  return buildMergedView({ ownId: 'me', published, now: NOW, maxAgeMs: 15_000, quorum });
}

const own = (kinds: Record<string, Observation['kind']>): Observation[] =>
  Object.entries(kinds).map(([host, kind]) => seen(host, kind, NOW));

/**
 * One pass as run-pass.ts makes it, without I/O: decide, "carry out" each action
 * with `results` (by 'type:host'; default ok), fold the outcome back, decide again.
 */
function pass(
  process: ProcessConfig,
  observations: Observation[],
  state: ProcessState,
  view: MergedView | undefined,
  results: Record<string, { ok: boolean; reason?: string; exitCode?: number }> = {},
): { actions: string[]; plan: Plan } {
  let current = foldObservations(process, state, observations, NOW);
  let seen = observations;
  let attempts = noAttempts();
  const actions: string[] = [];
  for (let round = 0; round < 8; round++) {
    const plan = decide({
      process,
      observations: seen,
      state: current,
      attempts,
      now: NOW,
      ...(view ? { view } : {}),
    });
    current = plan.state;
    if (plan.actions.length === 0) return { actions, plan };
    for (const action of plan.actions) {
      const key = action.type === 'hook' ? `hook:${action.hook}` : `${action.type}:${action.host}`;
      actions.push(key);
      const result = results[key] ?? { ok: true };
      const outcome = scripted(action, result);
      current = recordOutcome(process, current, outcome, NOW);
      attempts = recordAttempt(attempts, outcome);
      seen = [
        ...seen.filter((o) => !outcome.observations.some((f) => f.host === o.host)),
        ...outcome.observations,
      ];
      if (!outcome.ok && action.type !== 'hook') break;
    }
  }
  throw new Error(`no settled plan after 8 rounds: ${actions.join(', ')}`);
}

/** The outcome of an action as the script says; a good start leaves the host up, a good stop down. */
function scripted(
  action: Action,
  result: { ok: boolean; reason?: string; exitCode?: number },
): ActionOutcome {
  const host = action.type === 'hook' ? null : action.host;
  const after =
    host === null || action.type === 'fence'
      ? []
      : action.type === 'stop'
        ? [seen(host, result.ok ? 'down' : 'up', NOW)]
        : [seen(host, result.ok ? 'up' : 'down', NOW)];
  return {
    action,
    ok: result.ok,
    reason: result.reason ?? (result.ok ? 'ok' : 'exit 1'),
    observations: after,
    durationMs: 3,
    exitCode: result.exitCode ?? (result.ok ? 0 : 1),
  };
}

/** A pass over Ostro running on A (no fence): this watcher saw `mine`, each peer one entry of `peers`. */
function onA(mine: Record<string, Observation['kind']>, peers: Array<Record<string, Observation['kind']>>) {
  return pass(plain, own(mine), runningOnA(plain), viewOf(peers));
}

describe('observer quorum', () => {
  test('only this watcher loses sight of the active host: no failover, and it says why', () => {
    const { actions, plan } = onA({ A: 'unreachable', B: 'down', C: 'down' }, [
      { A: 'up', B: 'down', C: 'down' },
      { A: 'up', B: 'down', C: 'down' },
    ]);
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'up');
    assert.equal(
      plan.summary,
      'Ostro: A unreachable from this watcher, up for 2 of 3 watchers: not failing over',
    );
    assert.equal(plan.state.activeHost, 'A');
    assert.equal(plan.state.disagreement, 'A unreachable from this watcher, up for 2 of 3 watchers');
  });

  test('a quorum agrees the active instance is not up: failover (no fence configured: as before)', () => {
    const { actions, plan } = onA({ A: 'unreachable', B: 'down', C: 'down' }, [
      { A: 'unreachable', B: 'down', C: 'down' },
      { A: 'up', B: 'down', C: 'down' },
    ]);
    assert.deepEqual(
      actions,
      ['start:B'],
      'down for 2 of 3 is a quorum; one watcher that sees it up does not block',
    );
    assert.equal(plan.status, 'up');
    assert.equal(plan.state.activeHost, 'B');
  });

  test('stale peers are no votes but keep the quorum: the leader alone does not fail over', () => {
    const stale = viewOf(
      [
        { A: 'up', B: 'down', C: 'down' },
        { A: 'up', B: 'down', C: 'down' },
      ],
      20_000,
    );
    assert.deepEqual(stale.peers, []);
    assert.equal(stale.stale.length, 2);
    const { actions, plan } = pass(
      plain,
      own({ A: 'unreachable', B: 'down', C: 'down' }),
      runningOnA(plain),
      stale,
    );
    assert.deepEqual(actions, [], 'one vote of three present watchers is no majority');
    assert.equal(plan.status, 'waiting');
    assert.match(
      plan.summary,
      /A unreachable from this watcher, not up for 1 of 3 watchers \(quorum 2, 2 stale\)/,
    );
  });

  test('one stale peer, one fresh peer agreeing: 2 of 3 is a majority', () => {
    const view = buildMergedView({
      ownId: 'me',
      published: new Map([
        [
          'fresh',
          {
            at: NOW - 500,
            observations: [
              seen('A', 'unreachable', NOW - 500),
              seen('B', 'down', NOW - 500),
              seen('C', 'down', NOW - 500),
            ],
          },
        ],
        ['hung', { at: NOW - 60_000, observations: [seen('A', 'up', NOW - 60_000)] }],
      ]),
      now: NOW,
      maxAgeMs: 15_000,
      quorum: null,
    });
    const { actions } = pass(plain, own({ A: 'unreachable', B: 'down', C: 'down' }), runningOnA(plain), view);
    assert.deepEqual(actions, ['start:B']);
  });

  test('dead peers (keys gone with their leases) drop out: the one watcher left decides', () => {
    const { actions } = pass(plain, own({ A: 'down', B: 'down', C: 'down' }), runningOnA(plain), viewOf([]));
    assert.deepEqual(actions, ['start:A'], 'A answered down: restarted in place');
  });

  test('too few live watchers for quorum = 2: no start, and the summary says so', () => {
    const view = viewOf([], 1000, 2);
    const { actions, plan } = pass(
      plain,
      own({ A: 'unreachable', B: 'down', C: 'down' }),
      runningOnA(plain),
      view,
    );
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'waiting');
    assert.match(
      plan.summary,
      /^Ostro: A unreachable from this watcher, not up for 1 of 1 watchers \(quorum 2\)/,
    );
    assert.match(plan.summary, /: not failing over$/);
    assert.ok(plan.state.disagreement?.includes('quorum 2'));
  });

  test('a peer without a fresh view of a host leaves too few views: no start', () => {
    const { actions, plan } = pass(
      plain,
      own({ A: 'down', B: 'down', C: 'down' }),
      runningOnA(plain),
      viewOf([{ B: 'down', C: 'down' }, { B: 'down' }], 1000, 3),
    );
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'waiting');
    assert.match(plan.summary, /A down from this watcher, not up for 1 of 3 watchers \(quorum 3\)/);
    assert.match(plan.summary, /C down from this watcher, not up for 2 of 3 watchers/);
  });

  test('this watcher sees it up but the quorum does not: nothing to do, but the disagreement is kept', () => {
    const { actions, plan } = onA({ A: 'up', B: 'down', C: 'down' }, [
      { A: 'unreachable', B: 'down', C: 'down' },
      { A: 'unreachable', B: 'down', C: 'down' },
    ]);
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'up');
    assert.equal(plan.state.disagreement, 'A up from this watcher, not up for 2 of 3 watchers');
  });

  test('a failed start goes on to the next host: a peer view older than the start does not count', () => {
    const view = viewOf([
      { A: 'down', B: 'down', C: 'down' },
      { A: 'down', B: 'down', C: 'down' },
    ]);
    const { actions, plan } = pass(plain, own({ A: 'down', B: 'down', C: 'down' }), runningOnA(plain), view, {
      'start:A': { ok: false },
      'start:B': { ok: false },
    });
    assert.deepEqual(actions, ['start:A', 'start:B', 'start:C']);
    assert.equal(plan.state.activeHost, 'C');
  });

  test('just after its own start, this watcher alone sees it unreachable: peer views from before do not count', () => {
    const started = runningOnA(plain);
    const state = { ...started, hosts: { ...started.hosts, A: { ...started.hosts.A!, actedAt: NOW - 500 } } };
    const before = viewOf(
      [
        { A: 'down', B: 'down', C: 'down' },
        { A: 'down', B: 'down', C: 'down' },
      ],
      1000,
    );
    const held = pass(plain, own({ A: 'unreachable', B: 'down', C: 'down' }), state, before);
    assert.deepEqual(held.actions, [], 'no failover on one view');
    assert.equal(held.plan.status, 'waiting');
    assert.match(
      held.plan.summary,
      /A unreachable from this watcher, not up for 1 of 3 watchers \(quorum 2\)/,
    );
    const after = viewOf(
      [
        { A: 'up', B: 'down', C: 'down' },
        { A: 'up', B: 'down', C: 'down' },
      ],
      100,
    );
    const seen = pass(plain, own({ A: 'unreachable', B: 'down', C: 'down' }), state, after);
    assert.deepEqual(seen.actions, []);
    assert.match(
      seen.plan.summary,
      /A unreachable from this watcher, up for 2 of 3 watchers: not failing over/,
    );
  });

  test('its own down after acting does not outvote a fresh peer that sees the host up since', () => {
    const started = runningOnA(plain);
    const state = { ...started, hosts: { ...started.hosts, A: { ...started.hosts.A!, actedAt: NOW - 500 } } };
    const view = buildMergedView({
      ownId: 'me',
      published: new Map([
        ['before', { at: NOW - 1000, observations: [seen('A', 'down', NOW - 1000)] }],
        ['after', { at: NOW - 100, observations: [seen('A', 'up', NOW - 100)] }],
      ]),
      now: NOW,
      maxAgeMs: 15_000,
      quorum: null,
    });
    const { actions, plan } = pass(plain, own({ A: 'down', B: 'down', C: 'down' }), state, view);
    assert.deepEqual(actions, [], 'A is disputed: nothing starts');
    assert.equal(plan.status, 'waiting');
  });

  test('coordination = local (no view): behaviour as before, this watcher is the quorum', () => {
    const { actions, plan } = pass(
      plain,
      own({ A: 'unreachable', B: 'down', C: 'down' }),
      runningOnA(plain),
      undefined,
    );
    assert.deepEqual(actions, ['start:B']);
    assert.equal(plan.state.disagreement, undefined, 'nothing written where nothing was said');
    const state = foldObservations(
      plain,
      runningOnA(plain),
      own({ A: 'unreachable', B: 'down', C: 'down' }),
      NOW,
    );
    const first = decide({
      process: plain,
      observations: own({ A: 'unreachable', B: 'down', C: 'down' }),
      state,
      attempts: noAttempts(),
      now: NOW,
    });
    assert.ok(first.actions[0]?.type === 'start');
    assert.match(first.actions[0].reason, /; A not confirmed down, not fenced$/);
  });
});

describe('split brain on the merged view', () => {
  test('keeps the instance the quorum sees up, stops the one only this watcher sees', () => {
    const { actions, plan } = onA({ A: 'up', B: 'up', C: 'down' }, [
      { A: 'unreachable', B: 'up', C: 'down' },
      { A: 'unreachable', B: 'up', C: 'down' },
    ]);
    assert.deepEqual(actions, ['stop:A']);
    assert.equal(plan.state.activeHost, 'B');
  });

  test('no instance is up for a quorum: stops nothing on one partial view', () => {
    const { actions, plan } = onA({ A: 'up', B: 'up', C: 'down' }, [
      { A: 'unreachable', B: 'unreachable', C: 'down' },
      { A: 'unreachable', B: 'unreachable', C: 'down' },
    ]);
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'split-brain');
    assert.match(
      plan.summary,
      /not stopping any: no instance is up for a quorum of 2 \(A up for 1 of 3, B up for 1 of 3\)/,
    );
  });

  test('a second instance only the peers see, unreachable from here, is reported but cannot be stopped from here', () => {
    const { actions, plan } = onA({ A: 'up', B: 'unreachable', C: 'down' }, [
      { A: 'up', B: 'up', C: 'down' },
      { A: 'up', B: 'up', C: 'down' },
    ]);
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'split-brain');
    assert.match(plan.summary, /B: not up from this watcher, cannot stop it/);
  });
});

/** A is cut off from this watcher, and from every peer too. */
const cutOff = own({ A: 'unreachable', B: 'down', C: 'down' });
const everyoneCutOff = () =>
  viewOf([
    { A: 'unreachable', B: 'down', C: 'down' },
    { A: 'unreachable', B: 'down', C: 'down' },
  ]);

describe('fencing before a failover', () => {
  test('fence OK: the unconfirmed host is fenced, then the failover runs', () => {
    const { actions, plan } = pass(fenced(), cutOff, runningOnA(fenced()), everyoneCutOff());
    assert.deepEqual(actions, ['fence:A', 'start:B']);
    assert.equal(plan.status, 'up');
    assert.equal(plan.state.lastFence?.ok, true);
    assert.equal(plan.state.lastFence?.command, 'fence A');
    assert.deepEqual(plan.state.fences, { A: { ok: 1, failed: 0 } });
    assert.equal(plan.state.hosts.A?.fencedAt, NOW);
  });

  test('a plan shows the fence before the start (what --dry-run prints)', () => {
    const state = foldObservations(fenced(), runningOnA(fenced()), cutOff, NOW);
    const plan = decide({
      process: fenced(),
      observations: cutOff,
      state,
      attempts: noAttempts(),
      now: NOW,
      view: everyoneCutOff(),
    });
    assert.deepEqual(
      plan.actions.map((a) => `${a.type}:${a.type === 'hook' ? a.hook : a.host}`),
      ['fence:A', 'start:B'],
    );
    assert.match(plan.summary, /^Ostro: down, fencing A then starting on B/);
    const start = plan.actions[1];
    assert.ok(start?.type === 'start');
    assert.match(start.reason, /; A fenced$/, 'the journal and the hooks tell a fenced takeover');
  });

  test('fence failed: no failover, status unsafe, not safely recoverable with the reason', () => {
    const { actions, plan } = pass(fenced(), cutOff, runningOnA(fenced()), everyoneCutOff(), {
      'fence:A': { ok: false, reason: 'fence failed, exit 1' },
    });
    assert.deepEqual(actions, ['fence:A']);
    assert.equal(plan.status, 'unsafe');
    assert.match(
      plan.summary,
      /not safely recoverable: A is not confirmed down \(A unreachable from this watcher, down for 0 of 3 watchers\) and its fence failed \(fence failed, exit 1\)/,
    );
    assert.equal(plan.state.unsafe, plan.summary.replace(/^Ostro: /, ''));
    assert.deepEqual(plan.state.fences, { A: { ok: 0, failed: 1 } });
    assert.equal(plan.state.activeHost, 'A');
  });

  test('a failed fence backs off like a failed start before it runs again', () => {
    const process = fenced();
    const failing = { 'fence:A': { ok: false, reason: 'fence failed, exit 1' } };
    const first = pass(process, cutOff, runningOnA(process), everyoneCutOff(), failing);
    assert.equal(first.plan.state.hosts.A?.fenceFailures, 1);
    const again = pass(process, cutOff, first.plan.state, everyoneCutOff(), failing);
    assert.deepEqual(again.actions, [], 'not run again within backoff_initial');
    assert.equal(again.plan.status, 'unsafe');
    assert.match(again.plan.summary, /its fence failed \(fence failed, exit 1; next fence in 1 s\)$/);
  });

  test("a host's fence back-off holds even when the last fence named another host", () => {
    const process = fenced();
    const failing = { 'fence:A': { ok: false, reason: 'fence failed, exit 1' } };
    const first = pass(process, cutOff, runningOnA(process), everyoneCutOff(), failing);
    const other = { ...first.plan.state, lastFence: { ...first.plan.state.lastFence!, host: 'C', ok: true } };
    const again = pass(process, cutOff, other, everyoneCutOff(), failing);
    assert.deepEqual(again.actions, [], 'A is still backing off');
    assert.match(again.plan.summary, /its fence failed \(1 failed fence\(s\); next fence in 1 s\)$/);
  });

  test('fence_required = no: a failed fence is noted and the failover goes ahead', () => {
    const process = fenced(false);
    const { actions, plan } = pass(process, cutOff, runningOnA(process), everyoneCutOff(), {
      'fence:A': { ok: false, reason: 'fence failed, exit 1' },
    });
    assert.deepEqual(actions, ['fence:A', 'start:B']);
    assert.equal(plan.status, 'up');
    assert.equal(plan.state.lastFence?.ok, false);
  });

  test('entering unsafe runs on_failed once, like a failure to recover', () => {
    const step = { command: 'page-ops', optional: false, timeoutMs: 1000 };
    const process = fenced();
    process.hooks = { ...process.hooks, onFailed: [step] };
    const failing = { 'fence:A': { ok: false, reason: 'fence failed, exit 1' } };
    const first = pass(process, cutOff, runningOnA(process), everyoneCutOff(), failing);
    assert.deepEqual(first.actions, ['fence:A', 'hook:onFailed']);
    const again = pass(process, cutOff, first.plan.state, everyoneCutOff(), failing);
    assert.deepEqual(again.actions, [], 'still unsafe: the hook does not fire again');
  });

  test('fence_required = yes without a fence: unsafe, no failover ("no fence is configured")', () => {
    const process = makeProcess('Ostro', HOSTS, { fencing: { timeoutMs: 5000, required: true } });
    const { actions, plan } = pass(process, cutOff, runningOnA(process), everyoneCutOff());
    assert.deepEqual(actions, []);
    assert.equal(plan.status, 'unsafe');
    assert.match(plan.summary, /not safely recoverable: .* and no fence is configured/);
  });

  test('confirmed down by the quorum: no fence needed', () => {
    const view = viewOf([
      { A: 'down', B: 'down', C: 'down' },
      { A: 'down', B: 'down', C: 'down' },
    ]);
    const process = fenced();
    const { actions } = pass(
      process,
      own({ A: 'unreachable', B: 'down', C: 'down' }),
      runningOnA(process),
      view,
      {
        'start:A': { ok: false },
      },
    );
    assert.deepEqual(
      actions,
      ['start:B'],
      'A is down for 2 of 3: no fence; A itself is unreachable from here',
    );
  });

  test('an already fenced host is not fenced again while it stays unreachable', () => {
    const process = fenced();
    const first = pass(process, cutOff, runningOnA(process), everyoneCutOff(), {
      'start:B': { ok: false },
      'start:C': { ok: false },
    });
    assert.deepEqual(first.actions, ['fence:A', 'start:B', 'start:C']);
    const second = pass(
      process,
      cutOff,
      {
        ...first.plan.state,
        hosts: {
          ...first.plan.state.hosts,
          B: { ...first.plan.state.hosts.B!, retryAfter: null },
          C: { ...first.plan.state.hosts.C!, retryAfter: null },
        },
      },
      everyoneCutOff(),
    );
    assert.deepEqual(second.actions, ['start:B']);
  });

  test('coordination = local: the one watcher is the quorum, an unreachable active host is fenced', () => {
    const process = fenced();
    const { actions } = pass(process, cutOff, runningOnA(process), undefined);
    assert.deepEqual(actions, ['fence:A', 'start:B']);
  });

  test('a fresh start (no active host) fences nothing', () => {
    const process = fenced();
    const { actions } = pass(process, cutOff, emptyProcessState(), everyoneCutOff());
    assert.deepEqual(actions, ['start:B']);
  });
});

describe('operator requests do not skip the fence', () => {
  const ask = (state: ProcessState, type: OperatorRequestType): ProcessState => ({
    ...state,
    request: { type, host: null, by: 'op', at: NOW },
  });

  for (const type of ['reset', 'start'] as const) {
    test(`${type} while the last active host is not confirmed down: fence it, then start`, () => {
      const process = fenced();
      const { actions, plan } = pass(process, cutOff, ask(runningOnA(process), type), everyoneCutOff());
      assert.deepEqual(actions, ['fence:A', 'start:B']);
      assert.equal(plan.state.activeHost, 'B');
      assert.equal(plan.state.lastActiveHost, 'B');
    });
  }

  test('stop, then maintenance off: the host it could not see is fenced before a start elsewhere', () => {
    const process = fenced();
    const stopped = pass(process, cutOff, ask(runningOnA(process), 'stop'), everyoneCutOff());
    assert.equal(stopped.plan.state.activeHost, null);
    assert.equal(stopped.plan.state.lastActiveHost, 'A', 'not confirmed down: remembered');
    const resumed = pass(process, cutOff, ask(stopped.plan.state, 'maintenance-off'), everyoneCutOff());
    assert.deepEqual(resumed.actions, ['fence:A', 'start:B']);
  });

  test('reset with the last host confirmed down by the quorum: no fence, and it is forgotten', () => {
    const process = fenced();
    const allDown = own({ A: 'down', B: 'down', C: 'down' });
    const view = viewOf([
      { A: 'down', B: 'down', C: 'down' },
      { A: 'down', B: 'down', C: 'down' },
    ]);
    const state = foldObservations(process, ask(runningOnA(process), 'reset'), allDown, NOW);
    const plan = decide({ process, observations: allDown, state, attempts: noAttempts(), now: NOW, view });
    assert.deepEqual(
      plan.actions.map((a) => a.type),
      ['start'],
    );
    assert.equal(plan.state.lastActiveHost, null);
  });

  test('move ranks instances on the quorum view: an instance only the peers see up is switched over', () => {
    const state = { ...runningOnA(plain), request: { type: 'move' as const, host: 'B', by: 'op', at: NOW } };
    const view = viewOf([
      { A: 'up', B: 'down', C: 'down' },
      { A: 'up', B: 'down', C: 'down' },
    ]);
    const plan = decide({
      process: plain,
      observations: cutOff,
      state,
      attempts: noAttempts(),
      now: NOW,
      view,
    });
    assert.deepEqual(
      plan.actions.map((a) =>
        a.type === 'switchover' ? `switchover:${a.host} from ${a.fromHosts.join(',')}` : a.type,
      ),
      ['switchover:B from A'],
    );
  });
});
