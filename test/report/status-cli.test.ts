/**
 * status and nagios as a user and a monitoring system run them: the real CLI
 * as a child process (no stdin), against a real config, state dir and
 * heartbeat, asserting table rows, JSON fields and plugin exit codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { writeHeartbeat } from '../../src/state/heartbeat.js';
import { emptyProcessState, type ProcessState } from '../../src/state/model.js';
import { openStateLayout, type StateLayout } from '../../src/state/state-dir.js';
import { FileStateStore } from '../../src/state/state-store.js';
import { hashConfigText } from '../../src/report/watcher-health.js';
import type { StatusReport } from '../../src/report/status-schema.js';
import { runCliProcess } from '../helpers/run-cli.js';

let dir = '';
let configPath = '';
let layout: StateLayout;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-status-cli-'));
  configPath = path.join(dir, 'ha_valet.cfg');
  const test = `test = "exit $(cat ${dir}/%s.prio 2>/dev/null || echo 0)" % (host)`;
  await writeFile(
    configPath,
    [
      '[DEFAULT]',
      `state_dir = ${path.join(dir, 'state')}`,
      'transport = local',
      '',
      '[Ostro]',
      'host = Host_A',
      'stand_by_list = Host_A,Host_B',
      'start = "true"',
      'stop = "true"',
      test,
      '',
      '[Web]',
      'host = Host_B',
      'stand_by_list = Host_B,Host_A',
      'start = "true"',
      'stop = "true"',
      test,
      '',
    ].join('\n'),
  );
  await loadConfig(configPath, {});
  layout = await openStateLayout(path.join(dir, 'state'), configPath);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A state where `upHost` was seen up (priority 1) and the others down, `ageMs` ago. */
function stateWith(
  hosts: string[],
  upHost: string | null,
  overrides: Partial<ProcessState> = {},
  ageMs = 2000,
): ProcessState {
  const state = emptyProcessState();
  const at = Date.now() - ageMs;
  for (const host of hosts) {
    const up = host === upHost;
    state.hosts[host] = {
      lastObservation: {
        host,
        kind: up ? 'up' : 'down',
        ...(up ? { priority: 1 } : {}),
        exitCode: up ? 1 : 0,
        at,
        durationMs: 5,
      },
      badChecks: 0,
      failedStarts: 0,
      retryAfter: null,
      upSince: up ? at : null,
      reachableSince: at,
      earlyDeaths: 0,
      lastUpAt: null,
      lastFailure: null,
    };
  }
  state.activeHost = upHost;
  state.status = upHost ? 'up' : 'down';
  return { ...state, ...overrides };
}

/** Writes both processes' state and a heartbeat (`beatAgeMs` old, from a live or dead pid). */
async function writeWorld(
  ostro: ProcessState,
  web: ProcessState,
  beat: { ageMs: number; pid: number } | null,
): Promise<void> {
  const store = new FileStateStore(layout.dir);
  await store.save('Ostro', ostro);
  await store.save('Web', web);
  if (beat) {
    const hash = hashConfigText(await readFile(configPath));
    await writeHeartbeat(layout.heartbeatPath, {
      pid: beat.pid,
      startedAt: Date.now() - 60_000,
      configPath,
      configHash: hash,
      at: Date.now() - beat.ageMs,
    });
  } else {
    await rm(layout.heartbeatPath, { force: true });
  }
}

const LIVE = { ageMs: 1000, pid: process.pid };

test('status --no-probe: table rows and JSON from the state dir, exit 0 when all up', async () => {
  await writeWorld(
    stateWith(['Host_A', 'Host_B'], 'Host_A', {
      lastAction: { type: 'start', host: 'Host_A', ok: true, reason: 'was down', at: Date.now() - 150_000 },
      startTimes: [Date.now() - 150_000],
    }),
    stateWith(['Host_B', 'Host_A'], 'Host_B'),
    LIVE,
  );
  const table = await runCliProcess(['-c', configPath, 'status', '--no-probe']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.split('\n');
  assert.match(
    lines[1] ?? '',
    /^Ostro\s+up\s+\*Host_A\s+1\s+up\s+1\s+\d+s ago\s+start Host_A ok 2m ago\s+0\/10$/,
  );
  assert.match(lines[2] ?? '', /^\s+ Host_B\s+2\s+down\s+-\s+\d+s ago$/);
  assert.match(lines[3] ?? '', /^Web\s+up\s+\*Host_B\s+1\s+up\s+1/);
  assert.match(table.stdout, /OK: 2 processes: 2 up; watcher alive \(pid \d+, heartbeat \d+s ago\)/);

  const json = await runCliProcess(['-c', configPath, 'status', '--no-probe', '--json', '-p', 'Web']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as StatusReport;
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.source, 'state');
  assert.deepEqual(
    report.processes.map((p) => [p.name, p.state, p.activeHost, p.activePriority]),
    [['Web', 'up', 'Host_B', 1]],
  );
  assert.equal(report.watcher?.alive, true);
  assert.equal(report.watcher?.configMatches, true);
});

test('nagios: OK, WARNING (failed over, stale watcher), CRITICAL (down), exit codes per plugin guidelines', async () => {
  await writeWorld(
    stateWith(['Host_A', 'Host_B'], 'Host_A'),
    stateWith(['Host_B', 'Host_A'], 'Host_B'),
    LIVE,
  );
  let run = await runCliProcess(['-c', configPath, 'nagios']);
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /^HA-VALET OK - 2 processes up \| 'Ostro_up'=1;;;0;1 /);
  assert.equal(run.stdout.split('\n')[1], 'Ostro: OK - up on Host_A (priority 1)');

  await writeWorld(
    stateWith(['Host_A', 'Host_B'], 'Host_B'),
    stateWith(['Host_B', 'Host_A'], 'Host_B'),
    LIVE,
  );
  run = await runCliProcess(['-c', configPath, 'nagios']);
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stdout,
    /^HA-VALET WARNING - Ostro: up on Host_B \(priority 1\), not on preferred Host_A \(2 of 2 processes up\) \| /,
  );

  await writeWorld(stateWith(['Host_A', 'Host_B'], 'Host_A'), stateWith(['Host_B', 'Host_A'], 'Host_B'), {
    ageMs: 10 * 60_000,
    pid: process.pid,
  });
  run = await runCliProcess(['-c', configPath, 'nagios']);
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stdout, /^HA-VALET WARNING - watcher not running or stale \(last heartbeat 10m ago\)/);
  assert.equal((await runCliProcess(['-c', configPath, 'nagios', '--stale-after', '1h'])).code, 0);

  await writeWorld(stateWith(['Host_A', 'Host_B'], null), stateWith(['Host_B', 'Host_A'], 'Host_B'), LIVE);
  run = await runCliProcess(['-c', configPath, 'nagios']);
  assert.equal(run.code, 2, run.stdout);
  assert.match(
    run.stdout,
    /^HA-VALET CRITICAL - Ostro: down: no host up \(Host_A down, Host_B down\) \(1 of 2 processes up\) \| 'Ostro_up'=0;;;0;1/,
  );
  assert.equal(
    (await runCliProcess(['-c', configPath, 'nagios', '-p', 'Web'])).code,
    0,
    'only the selected process counts',
  );
  const status = await runCliProcess(['-c', configPath, 'status', '--no-probe']);
  assert.equal(status.code, 1, 'status exits 1 when a process is not up');
});

test('nagios: UNKNOWN for a config error or an unknown process, on stdout, exit 3', async () => {
  const missing = await runCliProcess(['-c', path.join(dir, 'nope.cfg'), 'nagios']);
  assert.equal(missing.code, 3);
  assert.match(missing.stdout, /^HA-VALET UNKNOWN - cannot read config file .*nope\.cfg: no such file/);
  const unknown = await runCliProcess(['-c', configPath, 'nagios', '-p', 'Nope']);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stdout, /^HA-VALET UNKNOWN - no process named Nope in .*; processes: Ostro, Web/);
});

test('status probes now by default; --full adds reachability, executables and state dir checks', async () => {
  await writeFile(path.join(dir, 'Host_B.prio'), '2\n');
  await rm(path.join(dir, 'Host_A.prio'), { force: true });
  const run = await runCliProcess(['-c', configPath, 'status', '--json', '--full', '-p', 'Ostro']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as StatusReport;
  assert.equal(report.source, 'probe');
  const ostro = report.processes[0];
  assert.equal(ostro?.activeHost, 'Host_B');
  assert.equal(ostro?.activePriority, 2);
  assert.deepEqual(
    ostro?.hosts.map((h) => h.observation?.kind),
    ['down', 'up'],
  );
  assert.ok(report.checks && report.checks.length >= 3);
  assert.ok(
    report.checks.every((c) => c.ok),
    JSON.stringify(report.checks),
  );
  assert.deepEqual([...new Set(report.checks.map((c) => c.check))].sort(), [
    'command-executable',
    'host-reachable',
    'state-dir-writable',
  ]);

  const unknown = await runCliProcess(['-c', configPath, 'status', '-p', 'Nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no process named Nope in .*; processes: Ostro, Web/);
});
