/** One contract, both backends: acquire/release, save/load, journal append/read, observations, health. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Coordinator } from '../../src/coord/coordinator.js';
import { EtcdCoordinator } from '../../src/coord/etcd-coordinator.js';
import { LocalCoordinator } from '../../src/coord/local-coordinator.js';
import { emptyProcessState } from '../../src/state/model.js';
import { openStateLayout } from '../../src/state/state-dir.js';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';

interface Backend {
  name: 'local' | 'etcd';
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** Two watchers sharing one store. */
  pair(): Promise<[Coordinator, Coordinator]>;
}

let etcd: EtcdCluster | null = null;
let tmp = '';
let serial = 0;

const backends: Backend[] = [
  {
    name: 'local',
    async setUp() {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-coord-'));
    },
    async tearDown() {
      rmSync(tmp, { recursive: true, force: true });
    },
    async pair() {
      const layout = await openStateLayout(tmp, path.join(tmp, `c${++serial}.cfg`));
      return [
        new LocalCoordinator(layout, { watcherId: 'one' }),
        new LocalCoordinator(layout, { watcherId: 'two' }),
      ];
    },
  },
  {
    name: 'etcd',
    async setUp() {
      etcd = await startEtcd(1);
    },
    async tearDown() {
      await etcd?.stop();
    },
    async pair() {
      const settings = { endpoints: etcd!.endpoints, prefix: `/contract-${++serial}/`, leaseTtlMs: 2000 };
      return [
        new EtcdCoordinator(settings, { watcherId: 'one' }),
        new EtcdCoordinator(settings, { watcherId: 'two' }),
      ];
    },
  },
];

for (const backend of backends) {
  describe(`Coordinator contract: ${backend.name}`, () => {
    before(() => backend.setUp());
    after(() => backend.tearDown());

    test('one leader at a time; release hands over', async () => {
      const [one, two] = await backend.pair();
      try {
        const first = await one.acquire();
        assert.ok(first);
        assert.ok(first.isValid());
        assert.equal(typeof first.epoch, 'string');
        assert.equal(await one.acquire(), first, 'acquire while leading returns the same leadership');
        assert.equal(await two.acquire(), null);
        await one.release();
        assert.equal(first.isValid(), false, 'released leadership is invalid');
        const second = await two.acquire();
        assert.ok(second?.isValid());
        assert.equal(one.health().backend, backend.name);
      } finally {
        await one.close();
        await two.close();
      }
    });

    test('state saved by the leader loads everywhere; journal append and read', async () => {
      const [one, two] = await backend.pair();
      try {
        const leadership = await one.acquire();
        assert.ok(leadership);
        assert.deepEqual(await two.state.load('web'), emptyProcessState());
        const state = { ...emptyProcessState(), activeHost: 'h1', latched: true };
        assert.equal(await one.state.save('web', state), true);
        assert.deepEqual(await two.state.load('web'), state);
        await one.journal.append({
          at: 1,
          process: 'web',
          event: 'start',
          host: 'h1',
          epoch: leadership.epoch,
        });
        await one.journal.append({
          at: 2,
          process: 'db',
          event: 'stop',
          host: 'h2',
          epoch: leadership.epoch,
        });
        await one.journal.append({
          at: 3,
          process: 'web',
          event: 'verify',
          host: 'h1',
          epoch: leadership.epoch,
        });
        const web = await two.journal.read({ process: ['web'] });
        assert.deepEqual(
          web.map((e) => [e.at, e.event, e.epoch]),
          [
            [1, 'start', leadership.epoch],
            [3, 'verify', leadership.epoch],
          ],
        );
        assert.deepEqual(
          (await two.journal.read({ limit: 1 })).map((e) => e.at),
          [3],
        );
        const operator = await two.updateState('web', (s) => ({ ...s, maintenance: true }));
        assert.equal(operator.maintenance, true);
        assert.equal((await one.state.load('web')).maintenance, true);
        const observation = {
          host: 'h1',
          kind: 'up' as const,
          priority: 1,
          exitCode: 1,
          at: 5,
          durationMs: 3,
        };
        await one.publishObservations('web', [observation]);
        assert.deepEqual((await one.peerObservations('web')).get(one.watcherId)?.observations, [observation]);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
}
