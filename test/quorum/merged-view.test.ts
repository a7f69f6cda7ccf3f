/** buildMergedView: live peers, stale ones, own record left out; quorumOf and the max-age default. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveMaxAgeMs } from '../../src/config/check-quorum-timing.js';
import { quorumOf } from '../../src/decide/quorum.js';
import { buildMergedView } from '../../src/quorum/merged-view.js';
import type { Observation } from '../../src/probe/observation.js';
import { obs } from '../helpers/process-config.js';

const NOW = 100_000;
const record = (at: number, observations: Observation[]) => ({ at, observations });

test('peers whose record is fresh are live; old ones are stale; our own record is not a peer', () => {
  const view = buildMergedView({
    ownId: 'lolek:1',
    published: new Map([
      ['lolek:1', record(NOW, [obs.up('A', 1, NOW)])],
      ['reksio:3', record(NOW - 500, [obs.up('A', 1, NOW - 1000), obs.down('B', NOW - 500)])],
      ['bolek:2', record(NOW - 20_000, [obs.unreachable('A', NOW - 20_000), obs.down('B', NOW - 20_000)])],
    ]),
    now: NOW,
    maxAgeMs: 15_000,
    quorum: null,
  });
  assert.deepEqual(
    view.peers.map((p) => [p.watcher, p.observations.map((o) => o.host), p.ageMs]),
    [['reksio:3', ['A', 'B'], 500]],
  );
  assert.deepEqual(view.stale, ['bolek:2']);
  assert.deepEqual(quorumOf(view), { live: 3, quorum: 2 }, 'a stale peer still counts in the denominator');
});

test('the record time decides: a probe that waited for a hung host still counts its quick results', () => {
  const view = buildMergedView({
    ownId: 'x',
    published: new Map([
      ['p', record(NOW - 1000, [obs.down('A', NOW - 11_000), obs.unreachable('B', NOW - 1000)])],
    ]),
    now: NOW,
    maxAgeMs: 5000,
    quorum: 3,
  });
  assert.deepEqual(
    view.peers[0]!.observations.map((o) => `${o.host} ${o.kind}`),
    ['A down', 'B unreachable'],
  );
  assert.deepEqual(quorumOf(view), { live: 2, quorum: 3 }, 'quorum = N is used as given');
});

test('majority of the live watchers by default; no view is one watcher; max age 3 intervals', () => {
  assert.deepEqual(quorumOf(undefined), { live: 1, quorum: 1 });
  const peers = (n: number) =>
    buildMergedView({
      ownId: 'me',
      published: new Map(Array.from({ length: n }, (_, i) => [`p${i}`, record(NOW, [obs.down('A', NOW)])])),
      now: NOW,
      maxAgeMs: 1000,
      quorum: null,
    });
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => quorumOf(peers(n)).quorum),
    [2, 2, 3, 3],
  );
  assert.equal(resolveMaxAgeMs(undefined, 5000), 15_000);
  assert.equal(resolveMaxAgeMs(2000, 5000), 2000);
  assert.equal(resolveMaxAgeMs(undefined, 1000, 5000), 8000, 'three intervals plus the longest probe');
});

test('stale peers are never votes but keep the quorum: both peers stale, the leader alone is not a majority', () => {
  const view = buildMergedView({
    ownId: 'me',
    published: new Map([
      ['p1', record(NOW - 4000, [obs.unreachable('A', NOW - 4000)])],
      ['p2', record(NOW - 4000, [obs.unreachable('A', NOW - 4000)])],
    ]),
    now: NOW,
    maxAgeMs: 3000,
    quorum: null,
  });
  assert.deepEqual([view.peers.length, view.stale], [0, ['p1', 'p2']]);
  assert.deepEqual(quorumOf(view), { live: 3, quorum: 2 });
});

test('a record dated ahead of this clock beyond the tolerance is stale (skew), within it fresh', () => {
  const view = buildMergedView({
    ownId: 'me',
    published: new Map([
      ['ahead', record(NOW + 60_000, [obs.up('A', 1, NOW + 60_000)])],
      ['near', record(NOW + 500, [obs.up('A', 1, NOW + 500)])],
    ]),
    now: NOW,
    maxAgeMs: 3000,
    futureToleranceMs: 1000,
    quorum: null,
  });
  assert.deepEqual(
    [view.peers.map((p) => p.watcher), view.stale, view.ahead],
    [['near'], ['ahead'], ['ahead']],
  );
});
