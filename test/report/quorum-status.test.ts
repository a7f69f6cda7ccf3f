/** Issue 12 in the reports: a disagreement is a WARNING, `unsafe` is CRITICAL, fences are shown and counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderNagios } from '../../src/report/nagios.js';
import { renderMetrics } from '../../src/report/metrics.js';
import { renderStatusTable } from '../../src/report/render-table.js';
import { buildStatusReport } from '../../src/report/status-model.js';
import type { ProcessState } from '../../src/state/model.js';
import { parseMetrics } from './metrics-parse.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

const config = makeConfig([makeProcess('Ostro', ['lolek', 'bolek'])]);
const report = (state: ProcessState) =>
  buildStatusReport({ config, states: new Map([['Ostro', state]]), now: NOW });
const DISAGREE = 'lolek unreachable from this watcher, up for 2 of 3 watchers';
const failedFence = {
  host: 'lolek',
  ok: false,
  command: 'ipmi-off lolek',
  exitCode: 1,
  durationMs: 40,
  reason: 'before failing over to bolek: … → fence failed, exit 1',
  at: NOW - 5000,
};

test('up for the quorum but not for this view: up, WARNING, with the disagreement everywhere', async () => {
  const state = makeState(
    [obs('lolek', 'unreachable', undefined, 1000, 'host unreachable (exit 255)'), obs('bolek', 'down')],
    {
      status: 'up',
      activeHost: 'lolek',
      disagreement: DISAGREE,
    },
  );
  const r = report(state);
  const proc = r.processes[0]!;
  assert.equal(proc.state, 'up');
  assert.equal(proc.running, true, 'the quorum sees it running');
  assert.equal(proc.severity, 'warning');
  assert.equal(proc.disagreement, DISAGREE);
  assert.match(
    proc.summary,
    /^up on lolek, watchers disagree: lolek unreachable from this watcher, up for 2 of 3/,
  );
  const nagios = renderNagios(r);
  assert.equal(nagios.exitCode, 1);
  assert.match(nagios.text, /^HA-VALET WARNING - Ostro: up on lolek, watchers disagree/);
  assert.match(renderStatusTable(r, { color: false }), /watchers-disagree/);
  const metrics = parseMetrics(await renderMetrics(r));
  assert.equal(metrics.get('ha_valet_quorum_disagreement{process="Ostro"}'), 1);
});

test('unsafe: CRITICAL with the reason, the last fence shown and fences counted per host and result', async () => {
  const reason =
    'not safely recoverable: lolek is not confirmed down (lolek unreachable from this watcher, down for 0 of 3 watchers) and its fence failed (fence failed, exit 1)';
  const state = makeState([obs('lolek', 'unreachable'), obs('bolek', 'down')], {
    status: 'unsafe',
    activeHost: 'lolek',
    unsafe: reason,
    lastFence: failedFence,
    fences: { lolek: { ok: 2, failed: 3 } },
  });
  const r = report(state);
  const proc = r.processes[0]!;
  assert.deepEqual([proc.state, proc.severity, proc.summary], ['unsafe', 'critical', reason]);
  assert.equal(proc.lastFence?.ageMs, 5000);
  assert.equal(r.summary.byState.unsafe, 1);
  const nagios = renderNagios(r);
  assert.equal(nagios.exitCode, 2);
  assert.match(nagios.text, /^HA-VALET CRITICAL - Ostro: not safely recoverable: lolek/);
  assert.match(renderStatusTable(r, { color: false }), /fence lolek FAILED 5s ago/);
  const metrics = parseMetrics(await renderMetrics(r));
  assert.equal(metrics.get('ha_valet_fences_total{process="Ostro",host="lolek",result="ok"}'), 2);
  assert.equal(metrics.get('ha_valet_fences_total{process="Ostro",host="lolek",result="failed"}'), 3);
  assert.equal(metrics.get('ha_valet_process_state{process="Ostro",state="unsafe"}'), 1);
});

test('unsafe stays unsafe when the status probe itself sees the instance: a failover could not happen', () => {
  const state = makeState([obs('lolek', 'up', 1), obs('bolek', 'down')], {
    status: 'unsafe',
    unsafe: 'not safely recoverable: x',
  });
  assert.equal(report(state).processes[0]!.state, 'unsafe');
});

test('a state without the issue-12 fields reports them as null and empty', () => {
  const proc = report(makeState([obs('lolek', 'up', 1)], { status: 'up' })).processes[0]!;
  assert.deepEqual([proc.disagreement, proc.unsafe, proc.lastFence, proc.fences], [null, null, null, {}]);
  assert.equal(proc.severity, 'ok');
});
