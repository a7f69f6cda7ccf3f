/** EtcdCoordinator on a real 3-member etcd: one member down changes nothing; quorum lost stops everyone; recovery. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EtcdSettings } from '../../src/config/model.js';
import { CoordinationError, type Leadership } from '../../src/coord/coordinator.js';
import { EtcdCoordinator } from '../../src/coord/etcd-coordinator.js';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';

const TTL_MS = 2000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('EtcdCoordinator (3-member etcd)', () => {
  let etcd: EtcdCluster;
  let watchers: EtcdCoordinator[] = [];
  before(async () => {
    etcd = await startEtcd(3);
  });
  after(async () => {
    await Promise.all(watchers.map((w) => w.close()));
    await etcd?.stop();
  });

  test('one member down: the leader keeps leading; two down: nobody acts; members back: leadership resumes', async () => {
    const settings: EtcdSettings = { endpoints: etcd.endpoints, prefix: '/quorum/', leaseTtlMs: TTL_MS };
    watchers = ['a', 'b', 'c'].map((id) => new EtcdCoordinator(settings, { watcherId: id }));
    const first = await Promise.all(watchers.map((w) => w.acquire()));
    assert.equal(first.filter(Boolean).length, 1);
    const leaderIndex = first.findIndex(Boolean);
    const leadership = first[leaderIndex] as Leadership;

    // Stop a member that is not the raft leader (a raft election would pause keepalives; see report).
    const raftLeader = await etcd.raftLeader();
    const victims = [0, 1, 2].filter((i) => i !== raftLeader);
    await etcd.kill(victims[0]!);
    const watchUntil = Date.now() + TTL_MS * 1.5;
    while (Date.now() < watchUntil) {
      assert.ok(leadership.isValid(), 'the leader keeps its leadership with one member down');
      await sleep(50);
    }
    const during = await Promise.all(watchers.map((w) => w.acquire()));
    assert.equal(during[leaderIndex], leadership, 'same leadership, same epoch');
    assert.equal(during.filter(Boolean).length, 1);

    // Quorum lost: the leader fences itself, nobody acquires, all report it.
    await etcd.kill(victims[1]!);
    const fenceDeadline = Date.now() + TTL_MS + 5000;
    while (leadership.isValid() && Date.now() < fenceDeadline) await sleep(50);
    assert.equal(leadership.isValid(), false, 'no valid leadership without quorum');
    for (const w of watchers) {
      await assert.rejects(w.acquire(), CoordinationError);
      assert.match(w.health().message, /^coordination lost: /);
      assert.equal(w.health().ok, false);
    }
    const health = await watchers[0]!.refreshHealth();
    assert.equal(health.members?.filter((m) => m.reachable).length, 1);
    assert.match(health.message, /coordination lost: .*\(1 of 3 etcd endpoints reachable\)/);

    // Members back: exactly one watcher leads again.
    await etcd.restart(victims[0]!);
    await etcd.restart(victims[1]!);
    await etcd.waitHealthy();
    const resumeDeadline = Date.now() + 30_000;
    let leaders: Leadership[] = [];
    while (leaders.length === 0 && Date.now() < resumeDeadline) {
      const results = await Promise.all(watchers.map((w) => w.acquire().catch(() => null)));
      leaders = results.filter((l): l is Leadership => l !== null);
      if (leaders.length === 0) await sleep(200);
    }
    assert.equal(leaders.length, 1, 'leadership resumes with exactly one leader');
    assert.ok(leaders[0]!.isValid());
    assert.equal((await watchers[0]!.refreshHealth()).ok, true);
  });
});
