/** `ha-valet cluster` as a real process against a real etcd. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EtcdCoordinator } from '../../src/coord/etcd-coordinator.js';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { runCliProcess } from '../helpers/run-cli.js';

let etcd: EtcdCluster;
let dir: string;

before(async () => {
  etcd = await startEtcd(1);
  dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-cluster-'));
});
after(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A config using etcd coordination on `endpoints`. */
function writeConfig(endpoints: string[]): string {
  const file = path.join(dir, 'ha_valet.cfg');
  writeFileSync(
    file,
    [
      '[DEFAULT]',
      'coordination = etcd',
      `etcd_endpoints = ${endpoints.join(',')}`,
      'etcd_prefix = /cluster-cli/',
      'lease_ttl = 2s',
      `state_dir = ${dir}`,
      '',
      '[web]',
      'host = host-a',
      'stand_by_list = host-a,host-b',
      "start_command = 'true'",
      "stop_command = 'true'",
      "test_command = 'exit 1'",
      '',
    ].join('\n'),
  );
  return file;
}

test('cluster shows the leader and every watcher; exit 1 when etcd is unreachable', async () => {
  const settings = { endpoints: etcd.endpoints, prefix: '/cluster-cli/', leaseTtlMs: 2000 };
  const watchers = [
    new EtcdCoordinator(settings, { watcherId: 'alpha' }),
    new EtcdCoordinator(settings, { watcherId: 'beta' }),
  ];
  try {
    const leadership = await watchers[0]!.acquire();
    assert.ok(leadership);
    assert.equal(await watchers[1]!.acquire(), null);
    const config = writeConfig(etcd.endpoints);
    const json = await runCliProcess(['-c', config, 'cluster', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const view = JSON.parse(json.stdout) as {
      health: { leader: string; ok: boolean };
      watchers: Array<{ id: string; leader: boolean }>;
    };
    assert.equal(view.health.ok, true);
    assert.equal(view.health.leader, 'alpha');
    assert.deepEqual(
      view.watchers.map((w) => [w.id, w.leader]),
      [
        ['alpha', true],
        ['beta', false],
      ],
    );
    const text = await runCliProcess(['-c', config, 'cluster']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^leader: alpha since /m);
    assert.match(text.stdout, /\* alpha .*\(leader\)/);

    const dead = writeConfig(['http://127.0.0.1:9']);
    const lost = await runCliProcess(['-c', dead, 'cluster']);
    assert.equal(lost.code, 1);
    assert.match(lost.stdout, /coordination lost: .*\(0 of 1 etcd endpoints reachable\)/);
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
  }
});
