/** EtcdCoordinator against one real etcd member: election, takeover, fencing, operator writes, journal bound. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { EtcdSettings } from '../../src/config/model.js';
import type { Leadership } from '../../src/coord/coordinator.js';
import { createEtcdClient } from '../../src/coord/etcd-client.js';
import { EtcdCoordinator } from '../../src/coord/etcd-coordinator.js';
import { EtcdJournal } from '../../src/coord/etcd-journal.js';
import { EtcdKeys, type LeaderRecord } from '../../src/coord/etcd-keys.js';
import { emptyProcessState } from '../../src/state/model.js';
import { spawnWatcher, startEtcd, startProxy, type EtcdCluster } from '../helpers/etcd.js';

const TTL_MS = 2000;
/** Generous bound for "within lease_ttl + slack" on a loaded 2-core box. */
const TAKEOVER_LIMIT_MS = 2 * TTL_MS + 8000;

let etcd: EtcdCluster;
let serial = 0;
const opened: EtcdCoordinator[] = [];

/** Settings with a fresh prefix, so tests never see each other's keys. */
function settingsFor(endpoints = etcd.endpoints): EtcdSettings {
  serial += 1;
  return { endpoints, prefix: `/t${process.pid}-${serial}/`, leaseTtlMs: TTL_MS };
}

/** A coordinator closed after the test. */
function coordinator(settings: EtcdSettings, watcherId: string): EtcdCoordinator {
  const c = new EtcdCoordinator(settings, { watcherId });
  opened.push(c);
  return c;
}

/** Sleeps. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls acquire() on each coordinator until one leads or the limit passes. */
async function waitForLeader(candidates: EtcdCoordinator[], limitMs: number): Promise<Leadership[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const results = await Promise.all(candidates.map((c) => c.acquire().catch(() => null)));
    const leaders = results.filter((l): l is Leadership => l !== null);
    if (leaders.length > 0 || Date.now() > deadline) return leaders;
    await sleep(100);
  }
}

describe('EtcdCoordinator (one etcd member)', () => {
  before(async () => {
    etcd = await startEtcd(1);
  });
  after(async () => {
    await etcd?.stop();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  test('three watchers on one etcd: exactly one gets a Leadership', async () => {
    const settings = settingsFor();
    const watchers = ['a', 'b', 'c'].map((id) => coordinator(settings, id));
    const results = await Promise.all(watchers.map((w) => w.acquire()));
    const leaders = results.filter((l) => l !== null);
    assert.equal(leaders.length, 1);
    assert.ok(leaders[0]!.isValid());
    const again = await Promise.all(watchers.map((w) => w.acquire()));
    assert.equal(again.filter((l) => l !== null).length, 1, 'a second round keeps the same single leader');
    const listed = await watchers[0]!.watchers();
    assert.deepEqual(
      listed.map((w) => w.id),
      ['a', 'b', 'c'],
    );
    assert.equal(listed.filter((w) => w.leader).length, 1);
  });

  test('SIGKILL of the leading watcher process: another watcher takes over, exactly one', async () => {
    const settings = settingsFor();
    const child = spawnWatcher(settings, 'child');
    try {
      const elected = await child.waitFor('leader');
      const others = [coordinator(settings, 'b'), coordinator(settings, 'c')];
      assert.deepEqual(await Promise.all(others.map((o) => o.acquire())), [null, null]);
      await child.kill();
      const leaders = await waitForLeader(others, TAKEOVER_LIMIT_MS);
      assert.equal(leaders.length, 1, 'exactly one successor');
      assert.notEqual(leaders[0]!.epoch, elected.epoch);
    } finally {
      await child.kill();
    }
  });

  test('a stale leader cannot save once another watcher leads', async () => {
    const settings = settingsFor();
    const keys = new EtcdKeys(settings.prefix);
    const [a, b] = [coordinator(settings, 'a'), coordinator(settings, 'b')];
    const leadership = await a.acquire();
    assert.ok(leadership);
    const mine = { ...emptyProcessState(), activeHost: 'host-a' };
    await a.state.load('web');
    assert.equal(await a.state.save('web', mine), true);
    // A loses its lease behind its back (as after a long partition): B takes over.
    const raw = createEtcdClient(settings);
    try {
      const record = JSON.parse((await raw.get(keys.leader).string()) ?? '{}') as LeaderRecord;
      await raw.leaseClient.leaseRevoke({ ID: record.lease });
    } finally {
      raw.close();
    }
    assert.ok(await b.acquire(), 'B leads once the key is gone');
    assert.equal(await b.state.save('web', { ...emptyProcessState(), activeHost: 'host-b' }), true);
    assert.equal(
      await a.state.save('web', { ...emptyProcessState(), activeHost: 'host-a2' }),
      false,
      'fenced',
    );
    assert.equal((await b.state.load('web')).activeHost, 'host-b');
  });

  test('an operator update from any host survives the leader’s next save', async () => {
    const settings = settingsFor();
    const [leader, operator] = [coordinator(settings, 'leader'), coordinator(settings, 'op')];
    assert.ok(await leader.acquire());
    const loaded = await leader.state.load('db');
    const request = { type: 'move' as const, host: 'host-b', by: 'ops@x', at: 1 };
    const written = await operator.updateState('db', (s) => ({ ...s, request }));
    assert.deepEqual(written.request, request);
    assert.equal(await leader.state.save('db', { ...loaded, activeHost: 'host-a' }), true);
    const merged = await operator.state.load('db');
    assert.equal(merged.activeHost, 'host-a');
    assert.deepEqual(merged.request, request);
  });

  test('journal: entries carry the epoch, read filters, and only the newest N are kept', async () => {
    const settings = settingsFor();
    const c = coordinator(settings, 'j');
    const leadership = await c.acquire();
    assert.ok(leadership);
    await c.journal.append({ at: 1000, process: 'p', event: 'start', host: 'h' });
    await c.journal.append({ at: 2000, process: 'q', event: 'stop' });
    const all = await c.journal.read();
    assert.deepEqual(
      all.map((e) => [e.process, e.epoch]),
      [
        ['p', leadership.epoch],
        ['q', leadership.epoch],
      ],
    );
    assert.deepEqual(
      (await c.journal.read({ process: ['q'] })).map((e) => e.at),
      [2000],
    );
    assert.deepEqual(
      (await c.journal.read({ since: 1500 })).map((e) => e.at),
      [2000],
    );

    const client = createEtcdClient(settings);
    try {
      const small = new EtcdJournal(client, new EtcdKeys(settings.prefix), 'j', () => null, undefined, 5);
      for (let i = 0; i < 12; i++) await small.append({ at: 10_000 + i, process: 'r', event: 'verify' });
      await small.trim('r');
      assert.deepEqual(
        (await small.read({ process: ['r'] })).map((e) => e.at),
        [10_007, 10_008, 10_009, 10_010, 10_011],
      );
      assert.deepEqual(
        (await small.read({ process: ['r'], limit: 2 })).map((e) => e.at),
        [10_010, 10_011],
      );
    } finally {
      client.close();
    }
  });

  test('a frozen link: the old leader stops acting before a new leader is elected', async () => {
    const proxy = await startProxy(etcd.members[0]!.clientPort);
    try {
      const settings = settingsFor();
      const frozen = coordinator({ ...settings, endpoints: [proxy.url] }, 'frozen');
      const other = coordinator(settings, 'other');
      const leadership = await frozen.acquire();
      assert.ok(leadership);
      assert.equal(await other.acquire(), null);
      proxy.freeze();
      let invalidAt: number | null = null;
      let electedAt: number | null = null;
      const deadline = Date.now() + TAKEOVER_LIMIT_MS;
      while (electedAt === null && Date.now() < deadline) {
        if (invalidAt === null && !leadership.isValid()) invalidAt = Date.now();
        const pending = other.acquire().catch(() => null);
        while (
          invalidAt === null &&
          !(await Promise.race([pending.then(() => true), sleep(20).then(() => false)]))
        ) {
          if (!leadership.isValid()) invalidAt = Date.now();
        }
        if (await pending) electedAt = Date.now();
        if (invalidAt === null && !leadership.isValid()) invalidAt = Date.now();
      }
      assert.ok(electedAt !== null, 'another watcher was elected');
      assert.ok(
        invalidAt !== null && invalidAt <= electedAt,
        `old leader invalid at ${invalidAt}, new elected at ${electedAt}`,
      );
      proxy.thaw();
      assert.equal(await frozen.state.save('x', emptyProcessState()), false, 'the old leader is fenced');
      assert.equal(await frozen.acquire(), null, 'it rejoins as a follower');
    } finally {
      await proxy.kill();
    }
  });
});
