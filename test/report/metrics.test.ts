import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { buildStatusReport } from '../../src/report/status-model.js';
import { StatusMetrics, renderMetrics, writeMetricsFile } from '../../src/report/metrics.js';
import type { ProcessState } from '../../src/state/model.js';
import { parseMetrics } from './metrics-parse.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

/** Ostro failed over to Host_B once; Web given up. */
function sampleReport() {
  const config = makeConfig([makeProcess('Ostro', ['Host_A', 'Host_B']), makeProcess('Web', ['Host_A'])]);
  const states = new Map<string, ProcessState>([
    [
      'Ostro',
      makeState([obs('Host_A', 'down', undefined, 2000), obs('Host_B', 'up', 1, 4000)], {
        counters: { starts: 3, failovers: 1, failedStarts: 2, stops: 1 },
      }),
    ],
    ['Web', makeState([obs('Host_A', 'down')], { givenUpAt: NOW - 1000 })],
  ]);
  return buildStatusReport({
    config,
    states,
    now: NOW,
    watcher: { alive: true, heartbeatAt: NOW - 1500, pid: 99, configMatches: true },
  });
}

test('metrics: per process and host values from the report', async () => {
  const values = parseMetrics(await renderMetrics(sampleReport()));
  assert.equal(values.get('ha_valet_process_up{process="Ostro"}'), 1);
  assert.equal(values.get('ha_valet_process_up{process="Web"}'), 0);
  assert.equal(values.get('ha_valet_host_up{process="Ostro",host="Host_B"}'), 1);
  assert.equal(values.get('ha_valet_host_active{process="Ostro",host="Host_B"}'), 1);
  assert.equal(values.get('ha_valet_host_active{process="Ostro",host="Host_A"}'), 0);
  assert.equal(values.get('ha_valet_host_priority{process="Ostro",host="Host_B"}'), 1);
  assert.equal(values.get('ha_valet_host_last_check_age_seconds{process="Ostro",host="Host_A"}'), 2);
  assert.equal(values.get('ha_valet_starts_total{process="Ostro"}'), 3);
  assert.equal(values.get('ha_valet_failovers_total{process="Ostro"}'), 1);
  assert.equal(values.get('ha_valet_failures_total{process="Ostro"}'), 2);
  assert.equal(values.get('ha_valet_given_up{process="Web"}'), 1);
  assert.equal(values.get('ha_valet_process_state{process="Web",state="given-up"}'), 1);
  assert.equal(values.get('ha_valet_watcher_up'), 1);
  assert.equal(values.get('ha_valet_watcher_info{pid="99",config_file="/etc/ha-valet/ha_valet.cfg"}'), 1);
  assert.equal(values.get('ha_valet_check_duration_seconds_count{process="Ostro",host="Host_A"}'), 1);
  assert.equal(globalRegistry.getMetricsAsArray().length, 0, 'nothing lands on the global registry');
});

test('metrics: the histogram accumulates recorded checks; vanished processes disappear', async () => {
  const metrics = new StatusMetrics();
  metrics.recordCheck('Ostro', 'Host_A', 20);
  metrics.recordCheck('Ostro', 'Host_A', 3000);
  const report = sampleReport();
  let values = parseMetrics(await metrics.render(report));
  assert.equal(values.get('ha_valet_check_duration_seconds_count{process="Ostro",host="Host_A"}'), 2);
  assert.equal(
    values.get('ha_valet_check_duration_seconds_bucket{le="0.05",process="Ostro",host="Host_A"}'),
    1,
  );
  assert.equal(values.get('ha_valet_check_duration_seconds_sum{process="Ostro",host="Host_A"}'), 3.02);
  values = parseMetrics(await metrics.render({ ...report, processes: report.processes.slice(0, 1) }));
  assert.equal(values.has('ha_valet_process_up{process="Web"}'), false);
  assert.equal(values.get('ha_valet_starts_total{process="Ostro"}'), 3, 'counters are set, not added up');
});

test('metrics file: written atomically, no temp file left', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-metrics-'));
  try {
    const file = path.join(dir, 'ha_valet.prom');
    await writeMetricsFile(file, 'a 1\n');
    await writeMetricsFile(file, await renderMetrics(sampleReport()));
    assert.match(await readFile(file, 'utf8'), /^# HELP ha_valet_/);
    assert.deepEqual(await readdir(dir), ['ha_valet.prom']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
