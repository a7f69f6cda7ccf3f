/** Groups in decide (issue 13): partial hosts, a failing member, split brain of whole groups, move. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/decide/decide.js';
import { foldObservations } from '../../src/decide/observe.js';
import { recordAttempt, recordOutcome } from '../../src/decide/record.js';
import { noAttempts, type Action, type PassAttempts } from '../../src/decide/actions.js';
import { emptyProcessState, type ProcessState } from '../../src/state/model.js';
import type { ProcessConfig } from '../../src/config/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { combineMemberObservations } from '../../src/probe/group-observation.js';
import { makeProcess, obs } from '../helpers/process-config.js';

const NOW = 10_000_000;
const HOSTS = ['A', 'B'];
const NAMES = ['marker', 'service', 'tail'];

/** A group unit of three members over A, B. */
function unit(overrides: Partial<ProcessConfig> = {}): ProcessConfig {
  const members = NAMES.map((name) => makeProcess(name, HOSTS, { group: 'storage' }));
  return makeProcess('storage', HOSTS, { members, ...overrides });
}

/** A host where `up` members are up and the rest down. */
function partial(host: string, up: string[]): Observation {
  const each = NAMES.map((name) => (up.includes(name) ? obs.up(host) : obs.down(host)));
  return combineMemberObservations(host, NAMES, each, NOW);
}

/** The state after the group ran on `host` for a minute. */
function runningOn(process: ProcessConfig, host: string): ProcessState {
  const seen = HOSTS.map((h) => (h === host ? obs.up(h) : obs.down(h)));
  const state = foldObservations(process, emptyProcessState(), seen, NOW - 60_000);
  return { ...state, status: 'up', activeHost: host, startedAt: NOW - 60_000 };
}

/** Folds and decides, as one round of a pass. */
function plan(
  process: ProcessConfig,
  observations: Observation[],
  state: ProcessState = emptyProcessState(),
  attempts: PassAttempts = noAttempts(),
) {
  const folded = foldObservations(process, state, observations, NOW);
  return decide({ process, observations, state: folded, attempts, now: NOW });
}

/** Actions as short strings: 'stop A', 'start B', 'switchover B from A (stop first)'. */
function steps(actions: Action[]): string[] {
  return actions.map((a) => {
    if (a.type === 'switchover')
      return `switchover ${a.host} from ${a.fromHosts.join(',')}${a.stopFirst ? ' (stop first)' : ''}`;
    if (a.type === 'hook') return `hook ${a.hook}`;
    return `${a.type} ${a.host}`;
  });
}

describe('group observations (probe)', () => {
  test('all up → up with the worst priority; all down → down; mixed → partial; any unknown → unknown', () => {
    const up = combineMemberObservations('A', ['a', 'b'], [obs.up('A', 1), obs.up('A', 3)], NOW);
    assert.deepEqual([up.kind, up.priority, up.partial], ['up', 3, undefined]);
    const down = combineMemberObservations('A', ['a', 'b'], [obs.down('A'), obs.down('A')], NOW);
    assert.deepEqual([down.kind, down.partial], ['down', undefined]);
    const mixed = combineMemberObservations('A', ['a', 'b'], [obs.up('A'), obs.down('A')], NOW);
    assert.deepEqual([mixed.kind, mixed.partial, mixed.reason], ['down', true, 'partial: a up, b down']);
    const lost = combineMemberObservations('A', ['a', 'b'], [obs.up('A'), obs.unreachable('A')], NOW);
    assert.deepEqual([lost.kind, lost.reason], ['unreachable', 'member b: host unreachable (exit 255)']);
    assert.deepEqual(
      lost.members?.map((m) => `${m.name}:${m.kind}`),
      ['a:up', 'b:unreachable'],
    );
  });
});

describe('group rules (decide)', () => {
  test('a member died on the active host: the rest of the group stops there, then it restarts there', () => {
    const process = unit();
    const result = plan(process, [partial('A', ['marker', 'tail']), obs.down('B')], runningOn(process, 'A'));
    assert.deepEqual(steps(result.actions), ['stop A', 'start A']);
    assert.match(result.summary, /stopping the partial group on A/);
  });

  test('the restart on A failed: the group moves to B (A was cleaned by the failed start)', () => {
    const process = unit();
    const attempts = { ...noAttempts(), startFailed: { A: 'member service: start failed, exit 1' } };
    const result = plan(process, [obs.down('A'), obs.down('B')], runningOn(process, 'A'), attempts);
    assert.deepEqual(steps(result.actions), ['start B']);
  });

  test('a partial host whose stop failed holds every start back', () => {
    const process = unit();
    const attempts = { ...noAttempts(), stopFailed: { A: 'member marker: still not down' } };
    const result = plan(
      process,
      [partial('A', ['marker']), obs.down('B')],
      runningOn(process, 'A'),
      attempts,
    );
    assert.deepEqual(steps(result.actions), []);
    assert.match(result.summary, /not starting: the partial group did not stop \(A: member marker/);
  });

  test('a failed stop holds starts back for the pass even when the host no longer reads partial', () => {
    const process = unit();
    const attempts = { ...noAttempts(), stopFailed: { A: 'member service: still not down' } };
    const result = plan(process, [obs.down('A'), obs.down('B')], runningOn(process, 'A'), attempts);
    assert.deepEqual(steps(result.actions), []);
    assert.match(result.summary, /not starting: the group did not stop \(A: member service/);
  });

  test('the group is up on B and partial on A: A is stopped, B kept', () => {
    const process = unit();
    const result = plan(process, [partial('A', ['marker']), obs.up('B')], runningOn(process, 'B'));
    assert.equal(result.status, 'up');
    assert.deepEqual(steps(result.actions), ['stop A']);
  });

  test('split brain of two whole groups: as for one process, the extra is stopped', () => {
    const process = unit();
    const result = plan(process, [obs.up('A'), obs.up('B')], runningOn(process, 'A'));
    assert.equal(result.status, 'split-brain');
    assert.deepEqual(steps(result.actions), ['stop B']);
  });

  test('a death not yet confirmed by check_count leaves the partial host alone', () => {
    const process = unit({ checkCount: 2 });
    const result = plan(process, [partial('A', ['marker']), obs.down('B')], runningOn(process, 'A'));
    assert.equal(result.status, 'waiting');
    assert.deepEqual(steps(result.actions), []);
  });

  test('in maintenance nothing is stopped; an operator stop stops the partial host too', () => {
    const process = unit();
    const held = { ...runningOn(process, 'A'), maintenance: true };
    assert.deepEqual(steps(plan(process, [partial('A', ['marker']), obs.down('B')], held).actions), []);
    const request = { type: 'stop' as const, host: null, by: 'op', at: NOW };
    const stopping = plan(process, [partial('A', ['marker']), obs.up('B')], {
      ...runningOn(process, 'B'),
      request,
    });
    assert.deepEqual(steps(stopping.actions), ['stop A', 'stop B']);
  });

  test('move: the whole group stops on the old host before it starts on the new one', () => {
    const process = unit();
    const request = { type: 'move' as const, host: 'B', by: 'op', at: NOW };
    const result = plan(process, [obs.up('A'), obs.down('B')], { ...runningOn(process, 'A'), request });
    assert.deepEqual(steps(result.actions), ['switchover B from A (stop first)']);
  });

  test('a single process keeps its start-then-stop switchover', () => {
    const process = makeProcess('Svc', HOSTS);
    const request = { type: 'move' as const, host: 'B', by: 'op', at: NOW };
    const result = plan(process, [obs.up('A'), obs.down('B')], { ...runningOn(process, 'A'), request });
    assert.deepEqual(steps(result.actions), ['switchover B from A']);
  });
});

describe('group switchover bookkeeping', () => {
  test('a stop-first switchover whose old host did not stop is a failed stop there, not a failed start of the target', () => {
    const process = unit();
    const before = runningOn(process, 'A');
    const outcome = {
      action: { type: 'switchover' as const, host: 'B', fromHosts: ['A'], reason: 'move', stopFirst: true },
      ok: false,
      reason: 'not started on B: A: member service: still not down',
      observations: [],
      durationMs: 900,
      stoppedHosts: [],
      notStoppedHosts: ['A'],
    };
    const after = recordOutcome(process, before, outcome, NOW);
    assert.equal(after.hosts.B?.failedStarts ?? 0, 0, 'B is not backed off');
    assert.equal(after.hosts.B?.retryAfter ?? null, null);
    assert.equal(after.activeHost, 'A');
    const attempts = recordAttempt(noAttempts(), outcome);
    assert.deepEqual(Object.keys(attempts.stopFailed), ['A']);
    assert.deepEqual(attempts.startFailed, {});
  });
});
