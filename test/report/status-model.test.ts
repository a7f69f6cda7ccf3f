import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatusReport } from '../../src/report/status-model.js';
import { renderNagios } from '../../src/report/nagios.js';
import type { ProcessState } from '../../src/state/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

const OSTRO = makeProcess('Ostro', ['Host_A', 'Host_B', 'Host_C']);

/** The report of Ostro alone in this state. */
function reportOf(
  state: ProcessState | undefined,
  extra: Parameters<typeof buildStatusReport>[0] extends infer T ? Partial<T> : never = {},
) {
  const states = new Map<string, ProcessState>();
  if (state) states.set('Ostro', state);
  return buildStatusReport({ config: makeConfig([OSTRO]), states, now: NOW, ...extra });
}

const failedStart = { type: 'start', host: 'Host_A', ok: false, reason: 'exit 1', at: NOW - 5000 };
const cases: Array<{
  name: string;
  state: ProcessState | undefined;
  expect: string;
  severity: string;
  code: number;
}> = [
  {
    name: 'up on the preferred host',
    state: makeState([obs('Host_A', 'up', 1), obs('Host_B', 'down'), obs('Host_C', 'down')]),
    expect: 'up',
    severity: 'ok',
    code: 0,
  },
  {
    name: 'up on a stand-by',
    state: makeState([obs('Host_A', 'down'), obs('Host_B', 'up', 1), obs('Host_C', 'down')]),
    expect: 'up',
    severity: 'warning',
    code: 1,
  },
  {
    name: 'stand-by unreachable',
    state: makeState([
      obs('Host_A', 'up', 1),
      obs('Host_B', 'unreachable', undefined, 3000, 'timed out after 10000 ms'),
      obs('Host_C', 'down'),
    ]),
    expect: 'up',
    severity: 'warning',
    code: 1,
  },
  {
    name: 'down everywhere',
    state: makeState([obs('Host_A', 'down'), obs('Host_B', 'down'), obs('Host_C', 'down')]),
    expect: 'down',
    severity: 'critical',
    code: 2,
  },
  {
    name: 'last start failed',
    state: makeState([obs('Host_A', 'down'), obs('Host_B', 'down')], { lastAction: failedStart }),
    expect: 'failed',
    severity: 'critical',
    code: 2,
  },
  {
    name: 'waiting (back-off)',
    state: makeState([obs('Host_A', 'down')], { status: 'waiting' }),
    expect: 'waiting',
    severity: 'critical',
    code: 2,
  },
  {
    name: 'recorded failed',
    state: makeState([obs('Host_A', 'down')], { status: 'failed' }),
    expect: 'failed',
    severity: 'critical',
    code: 2,
  },
  {
    name: 'given up',
    state: makeState([obs('Host_A', 'down')], { givenUpAt: NOW - 60_000 }),
    expect: 'given-up',
    severity: 'critical',
    code: 2,
  },
  {
    name: 'maintenance',
    state: makeState([obs('Host_A', 'up', 1)], { maintenance: true }),
    expect: 'maintenance',
    severity: 'warning',
    code: 1,
  },
  {
    name: 'latched and up',
    state: makeState([obs('Host_B', 'up', 1)], { latched: true }),
    expect: 'latched',
    severity: 'warning',
    code: 1,
  },
  {
    name: 'latched and down',
    state: makeState([obs('Host_B', 'down')], { latched: true }),
    expect: 'latched',
    severity: 'critical',
    code: 2,
  },
  {
    name: 'split brain',
    state: makeState([obs('Host_A', 'up', 1), obs('Host_B', 'up', 2)]),
    expect: 'split-brain',
    severity: 'critical',
    code: 2,
  },
  { name: 'never observed (no state)', state: undefined, expect: 'unknown', severity: 'unknown', code: 3 },
  {
    name: 'every host unreachable',
    state: makeState([obs('Host_A', 'unreachable'), obs('Host_B', 'error')]),
    expect: 'unknown',
    severity: 'unknown',
    code: 3,
  },
];

for (const c of cases) {
  test(`status: ${c.name} -> ${c.expect}, nagios exit ${c.code}`, () => {
    const report = reportOf(c.state);
    const proc = report.processes[0];
    assert.ok(proc);
    assert.equal(proc.state, c.expect);
    assert.equal(proc.severity, c.severity);
    assert.equal(report.overall, c.severity);
    const nagios = renderNagios(report);
    assert.equal(nagios.exitCode, c.code);
    assert.match(nagios.text, new RegExp(`^HA-VALET ${c.severity.toUpperCase()} - `));
  });
}

test('status: active host, rank, priority, degraded flags and ages', () => {
  const state = makeState(
    [
      obs('Host_A', 'down', undefined, 2000),
      obs('Host_B', 'up', 2, 3000),
      obs('Host_C', 'unreachable', undefined, 4000, 'connection refused'),
    ],
    {
      startTimes: [NOW - 200_000, NOW - 100_000, NOW - 10_000],
      lastAction: { type: 'start', host: 'Host_B', ok: true, reason: 'Host_A down', at: NOW - 10_000 },
      counters: { starts: 3, failovers: 1, failedStarts: 0, stops: 0 },
    },
  );
  const proc = reportOf(state).processes[0];
  assert.ok(proc);
  assert.equal(proc.activeHost, 'Host_B');
  assert.equal(proc.activeRank, 2);
  assert.equal(proc.activePriority, 2);
  assert.deepEqual(proc.degraded, { notOnPreferredHost: true, unreachableStandbys: ['Host_C'] });
  assert.equal(proc.restarts.inWindow, 2);
  assert.equal(proc.lastCheckAgeMs, 2000);
  assert.equal(proc.lastAction?.ageMs, 10_000);
  assert.deepEqual(
    proc.hosts.map((h) => [h.host, h.rank, h.active, h.observation?.kind, h.observation?.ageMs]),
    [
      ['Host_A', 1, false, 'down', 2000],
      ['Host_B', 2, true, 'up', 3000],
      ['Host_C', 3, false, 'unreachable', 4000],
    ],
  );
  assert.match(
    proc.summary,
    /up on Host_B \(priority 2\), not on preferred Host_A, stand-by Host_C unreachable \(connection refused\)/,
  );
});

test('status: fresh observations override the state and mark the report as probed', () => {
  const state = makeState([obs('Host_A', 'up', 1)]);
  const fresh = new Map<string, Observation[]>([
    ['Ostro', [obs('Host_A', 'down', undefined, 0), obs('Host_B', 'up', 1, 0)]],
  ]);
  const report = reportOf(state, { observations: fresh });
  assert.equal(report.source, 'probe');
  assert.equal(report.processes[0]?.activeHost, 'Host_B');
  assert.equal(reportOf(state).source, 'state');
});

test('status: a stale watcher or a changed config makes an otherwise healthy cluster WARNING', () => {
  const healthy = makeState([obs('Host_A', 'up', 1)]);
  const stale = reportOf(healthy, {
    watcher: { alive: false, heartbeatAt: NOW - 90_000, pid: 4242, configMatches: true },
  });
  assert.equal(stale.overall, 'warning');
  assert.equal(stale.watcher?.heartbeatAgeMs, 90_000);
  assert.match(stale.problems[0] ?? '', /watcher not running or stale \(last heartbeat 90s ago\)/);
  assert.equal(renderNagios(stale).exitCode, 1);
  const changed = reportOf(healthy, {
    watcher: { alive: true, heartbeatAt: NOW - 1000, pid: 4242, configMatches: false },
  });
  assert.equal(renderNagios(changed).exitCode, 1);
  const fine = reportOf(healthy, {
    watcher: { alive: true, heartbeatAt: NOW - 1000, pid: 4242, configMatches: true },
  });
  assert.equal(renderNagios(fine).exitCode, 0);
});

test('status: the worst process decides; summary counts every state', () => {
  const config = makeConfig([
    OSTRO,
    makeProcess('Redis', ['Host_A', 'Host_B']),
    makeProcess('Web', ['Host_A']),
  ]);
  const states = new Map<string, ProcessState>([
    ['Ostro', makeState([obs('Host_A', 'down'), obs('Host_B', 'up', 1)])],
    ['Redis', makeState([obs('Host_A', 'down'), obs('Host_B', 'down')])],
    ['Web', makeState([obs('Host_A', 'up', 1)])],
  ]);
  const report = buildStatusReport({ config, states, now: NOW });
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.overall, 'critical');
  assert.deepEqual(report.summary, {
    total: 3,
    up: 2,
    byState: {
      up: 2,
      down: 1,
      waiting: 0,
      failed: 0,
      'given-up': 0,
      maintenance: 0,
      latched: 0,
      'split-brain': 0,
      unsafe: 0,
      unknown: 0,
    },
  });
  assert.match(report.problems[0] ?? '', /^Redis: down/);
  assert.match(report.problems[1] ?? '', /^Ostro: up on Host_B/);
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'the report is plain JSON');
});

test('status: down or waiting says the latest failure in its own words', () => {
  const state = makeState([obs('Host_A', 'down'), obs('Host_B', 'down'), obs('Host_C', 'unreachable')], {
    status: 'waiting',
  });
  state.hosts.Host_A = {
    ...state.hosts.Host_A!,
    earlyDeaths: 3,
    retryAfter: NOW + 2000,
    lastFailure: { kind: 'died-early', at: NOW - 1000, reason: 'died within 1 s of its start on Host_A' },
  };
  state.hosts.Host_B = {
    ...state.hosts.Host_B!,
    lastFailure: { kind: 'start-failed', at: NOW - 3000, reason: 'start failed, exit 1' },
  };
  const proc = reportOf(state).processes[0]!;
  assert.equal(proc.state, 'waiting');
  assert.match(proc.summary, /; last: died within 1 s of its start on Host_A$/);
  assert.deepEqual(
    proc.hosts.map((h) => [h.host, h.earlyDeaths, h.lastFailure?.kind ?? null]),
    [
      ['Host_A', 3, 'died-early'],
      ['Host_B', 0, 'start-failed'],
      ['Host_C', 0, null],
    ],
  );
  state.hosts.Host_B = {
    ...state.hosts.Host_B,
    lastFailure: { ...state.hosts.Host_B.lastFailure!, at: NOW },
  };
  assert.match(reportOf(state).processes[0]!.summary, /; last: Host_B: start failed, exit 1$/);
});
