/** status and nagios with `coordination = etcd`: the state is read from a real etcd. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EtcdCoordinator } from '../../src/coord/etcd-coordinator.js';
import type { StatusReport } from '../../src/report/status-schema.js';
import { emptyProcessState } from '../../src/state/model.js';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { runCliProcess } from '../helpers/run-cli.js';

let etcd: EtcdCluster;
let dir: string;

before(async () => {
  etcd = await startEtcd(1);
  dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-status-etcd-'));
});
after(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A config using etcd coordination on `endpoints`. */
function writeConfig(name: string, endpoints: string[]): string {
  const file = path.join(dir, name);
  const lines = [
    '[DEFAULT]',
    'coordination = etcd',
    `etcd_endpoints = ${endpoints.join(',')}`,
    'etcd_prefix = /status-cli/',
  ];
  lines.push(
    'lease_ttl = 2s',
    `state_dir = ${dir}`,
    '',
    '[web]',
    'host = host-a',
    'stand_by_list = host-a,host-b',
  );
  lines.push("start_command = 'true'", "stop_command = 'true'", "test_command = 'exit 1'", '');
  writeFileSync(file, lines.join('\n'));
  return file;
}

test('status --no-probe and nagios read the shared state from etcd; unreachable etcd is CRITICAL coordination lost', async () => {
  const leader = new EtcdCoordinator(
    { endpoints: etcd.endpoints, prefix: '/status-cli/', leaseTtlMs: 2000 },
    { watcherId: 'alpha' },
  );
  try {
    assert.ok(await leader.acquire());
    const state = emptyProcessState();
    const at = Date.now() - 1000;
    state.activeHost = 'host-b';
    state.status = 'up';
    state.hosts['host-a'] = {
      lastObservation: { host: 'host-a', kind: 'down', exitCode: 0, at, durationMs: 3 },
      badChecks: 1,
      failedStarts: 0,
      retryAfter: null,
      upSince: null,
      reachableSince: at,
      earlyDeaths: 0,
      lastUpAt: null,
      lastFailure: null,
    };
    state.hosts['host-b'] = {
      lastObservation: { host: 'host-b', kind: 'up', priority: 1, exitCode: 1, at, durationMs: 3 },
      badChecks: 0,
      failedStarts: 0,
      retryAfter: null,
      upSince: at,
      reachableSince: at,
      earlyDeaths: 0,
      lastUpAt: null,
      lastFailure: null,
    };
    assert.equal(await leader.state.save('web', state), true);

    const config = writeConfig('ha_valet.cfg', etcd.endpoints);
    const json = await runCliProcess(['-c', config, 'status', '--no-probe', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as StatusReport;
    assert.equal(report.processes[0]?.activeHost, 'host-b');
    assert.equal(report.coordination?.backend, 'etcd');
    assert.equal(report.coordination?.ok, true);

    const nagios = await runCliProcess(['-c', config, 'nagios']);
    assert.equal(nagios.code, 1, nagios.stdout);
    assert.match(
      nagios.stdout,
      /^HA-VALET WARNING - web: up on host-b \(priority 1\), not on preferred host-a/,
    );

    const dead = await runCliProcess(['-c', writeConfig('dead.cfg', ['http://127.0.0.1:9']), 'nagios']);
    // Nobody may act while etcd is unreachable: the service is unprotected, whatever it was doing.
    assert.equal(dead.code, 2, dead.stdout);
    assert.match(dead.stdout, /^HA-VALET CRITICAL - coordination lost: .*0 of 1 etcd endpoints reachable/);
    const deadStatus = await runCliProcess([
      '-c',
      writeConfig('dead.cfg', ['http://127.0.0.1:9']),
      'status',
      '--no-probe',
      '--json',
    ]);
    assert.equal(deadStatus.code, 1, deadStatus.stderr);
    const deadReport = JSON.parse(deadStatus.stdout);
    assert.equal(deadReport.coordination.ok, false);
    assert.equal(deadReport.overall, 'critical');
  } finally {
    await leader.close();
  }
});
