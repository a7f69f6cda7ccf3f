/**
 * The restart and placement policy over timelines of probes (issue 11): the words of each kind
 * of loss, restarts in place after deaths, back-off that never keeps the service down while
 * another host can run it, the bound when every host backs off, and flap damping.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyProcessState, type ProcessState } from '../../src/state/model.js';
import { makeProcess } from '../helpers/process-config.js';
import { probe, runPass } from './helpers/timeline.js';

const T0 = 1_000_000;
const s = (seconds: number): number => T0 + seconds * 1000;

describe('restart policy: deaths and failed starts', () => {
  test('killed twice within ten seconds: restarted on the preferred host both times, each death in its words', () => {
    const process = makeProcess('Ostro', ['A', 'B']);
    let state = runPass(process, probe(process, []), emptyProcessState(), s(0)).state;
    state = runPass(process, probe(process, ['A']), state, s(60)).state;

    const first = runPass(process, probe(process, []), state, s(61));
    assert.deepEqual(first.actions, ['start A']);
    assert.equal(first.first.summary, 'Ostro: died on A after running 60 s; restarting on A');
    assert.equal(first.state.hosts.A!.lastFailure?.kind, 'died');

    const second = runPass(process, probe(process, []), first.state, s(65));
    assert.deepEqual(second.actions, ['start A']);
    assert.equal(second.first.summary, 'Ostro: died within 4 s of its start on A; restarting on A');
    assert.equal(second.state.hosts.A!.lastFailure?.kind, 'died-early');
    assert.equal(second.final.status, 'up');
  });

  test('one-shot passes seconds apart after kill -9: the fresh instance is restarted in place twice, then moved, saying why', () => {
    const process = makeProcess('Ostro', ['A', 'B']);
    let state = runPass(process, probe(process, []), emptyProcessState(), s(0)).state;
    const summaries: string[] = [];
    const moves: string[][] = [];
    for (const at of [3, 6, 9]) {
      const pass = runPass(process, probe(process, []), state, s(at));
      summaries.push(pass.first.summary);
      moves.push(pass.actions);
      state = pass.state;
    }
    assert.deepEqual(moves, [['start A'], ['start A'], ['start B']]);
    assert.deepEqual(summaries, [
      'Ostro: died within 3 s of its start on A; restarting on A',
      'Ostro: died within 3 s of its start on A; restarting on A',
      'Ostro: died within 3 s of its start on A; starting on B (A: backing off after 3 early deaths in a row (died within 3 s of its start on A), retry in 1 s)',
    ]);
  });

  test('an instance seen running min_uptime after its start died after running: no back-off, and the streak is cleared', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { minUptimeMs: 5000 });
    let state = runPass(process, probe(process, []), emptyProcessState(), s(0)).state;
    for (const at of [2, 4]) state = runPass(process, probe(process, []), state, s(at)).state;
    assert.equal(state.hosts.A!.earlyDeaths, 2);
    state = runPass(process, probe(process, ['A']), state, s(10)).state;
    const died = runPass(process, probe(process, []), state, s(11));
    assert.equal(died.first.summary, 'Ostro: died on A after running 6 s; restarting on A');
    assert.equal(died.state.hosts.A!.earlyDeaths, 0);
    assert.equal(died.state.hosts.A!.retryAfter, null);
  });

  test('a failed start is not a death: its own words, and the next candidate takes the service in the same pass', () => {
    const process = makeProcess('Ostro', ['A', 'B']);
    const pass = runPass(process, probe(process, []), emptyProcessState(), s(0), ['A']);
    assert.deepEqual(pass.actions, ['start A', 'start B']);
    assert.equal(pass.final.status, 'up');
    assert.deepEqual(pass.state.hosts.A!.lastFailure, {
      kind: 'start-failed',
      at: s(0),
      reason: 'start failed, exit 1',
    });
    assert.equal(pass.state.hosts.A!.retryAfter, s(1));
    // B dies later: A is tried first again once its back-off ended.
    const later = runPass(process, probe(process, []), pass.state, s(30));
    assert.deepEqual(later.actions, ['start A']);
    // Never seen up again after its start (no probe in between): an early death, in those words.
    assert.equal(later.first.summary, 'Ostro: died within 30 s of its start on B; starting on A');
  });

  test('a host backing off never keeps the service down while another candidate can run it', () => {
    const process = makeProcess('Ostro', ['A', 'B', 'C']);
    const state: ProcessState = {
      ...emptyProcessState(),
      hosts: {
        A: {
          ...runPass(process, probe(process, []), emptyProcessState(), s(0), ['A']).state.hosts.A!,
          retryAfter: s(9),
        },
      },
    };
    const pass = runPass(process, probe(process, [], ['C']), state, s(1));
    assert.deepEqual(pass.actions, ['start B']);
    assert.match(
      pass.first.summary,
      /starting on B \(A: backing off after 1 failed start in a row, retry in 8 s\)/,
    );
  });
});

describe('restart policy: every host backing off, flap damping', () => {
  test('every start fails: retries at most backoff_max apart, says until when, then gives up after max_restarts', () => {
    const process = makeProcess('Ostro', ['A', 'B'], {
      maxRestarts: 12,
      restartWindowMs: 600_000,
      backoffInitialMs: 1000,
      backoffMaxMs: 4000,
    });
    let state = emptyProcessState();
    const startTimes: number[] = [];
    let starts = 0;
    for (let at = 0; at < 200 && state.givenUpAt === null; at++) {
      const pass = runPass(process, probe(process, []), state, s(at), ['A', 'B']);
      if (pass.actions.length > 0) startTimes.push(at);
      starts += pass.actions.length;
      if (pass.actions.length === 0 && pass.final.status === 'waiting') {
        assert.equal(pass.final.hold?.bound, 'backoff');
        assert.ok(pass.final.hold.until! > s(at) && pass.final.hold.until! <= s(at) + 4000);
        assert.match(pass.final.summary, /; next start in [1-4] s$/);
      }
      state = pass.state;
    }
    assert.notEqual(state.givenUpAt, null, 'flap damping gave up');
    assert.equal(starts, 12, 'exactly max_restarts start attempts');
    const gaps = startTimes.slice(1).map((t, i) => t - startTimes[i]!);
    assert.ok(Math.max(...gaps) <= 4 + 1, `start passes ${startTimes.join(', ')}`);
  });

  test('a crash loop everywhere (each instance dead at the next probe) reaches given-up within max_restarts', () => {
    const process = makeProcess('Ostro', ['A', 'B'], { maxRestarts: 10, restartWindowMs: 150_000 });
    let state = emptyProcessState();
    let starts = 0;
    let at = 0;
    for (; at < 150 && state.givenUpAt === null; at++) {
      const pass = runPass(process, probe(process, []), state, s(at));
      starts += pass.actions.length;
      state = pass.state;
    }
    assert.equal(starts, 10);
    assert.equal(state.status, 'given-up');
    assert.ok(at < 60, `gave up after ${at} s`);
    const quiet = runPass(process, probe(process, []), state, s(at + 60));
    assert.deepEqual(quiet.actions, []);
    assert.deepEqual(quiet.final.hold, { bound: 'flap_damping', until: state.givenUpAt! + 600_000 });
  });
});
