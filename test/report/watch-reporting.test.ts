import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createWatchReporting } from '../../src/report/watch-reporting.js';
import type { StatusReport } from '../../src/report/status-schema.js';
import { FileJournal } from '../../src/state/journal.js';
import type { ProcessState } from '../../src/state/model.js';
import { parseMetrics } from './metrics-parse.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

test('watch reporting: status, healthz, metrics with check histogram, events from the journal, metrics file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-watch-reporting-'));
  const ostro = makeProcess('Ostro', ['Host_A', 'Host_B']);
  const config = makeConfig([ostro]);
  const states = new Map<string, ProcessState>([
    ['Ostro', makeState([obs('Host_A', 'up', 1), obs('Host_B', 'down')])],
  ]);
  const journal = new FileJournal(path.join(dir, 'journal.jsonl'));
  await journal.append({ at: NOW - 1000, process: 'Ostro', event: 'start', host: 'Host_A', ok: true });
  let lastPassAt: number | null = null;
  const reporting = createWatchReporting({
    config: () => config,
    states: () => states,
    lastPassAt: () => lastPassAt,
    journal,
    now: () => NOW,
  });
  reporting.onCheck(ostro, ostro.candidates[0]!, obs('Host_A', 'up', 1));
  const server = await reporting.serve({ port: 0 });
  try {
    assert.equal((await fetch(new URL('healthz', server.url))).status, 503, 'no pass yet');
    lastPassAt = NOW - 1000;
    assert.equal((await fetch(new URL('healthz', server.url))).status, 200);
    const status = (await (await fetch(new URL('status', server.url))).json()) as StatusReport;
    assert.equal(status.processes[0]?.activeHost, 'Host_A');
    assert.equal(status.watcher?.alive, true);
    const metrics = parseMetrics(await (await fetch(new URL('metrics', server.url))).text());
    assert.equal(metrics.get('ha_valet_check_duration_seconds_count{process="Ostro",host="Host_A"}'), 1);
    assert.equal(metrics.get('ha_valet_host_active{process="Ostro",host="Host_A"}'), 1);
    const events = (await (await fetch(new URL('events?limit=5', server.url))).json()) as {
      events: Array<{ event: string }>;
    };
    assert.deepEqual(
      events.events.map((e) => e.event),
      ['start'],
    );
    const file = path.join(dir, 'ha_valet.prom');
    await reporting.writeMetricsFile(file);
    assert.equal(parseMetrics(await readFile(file, 'utf8')).get('ha_valet_process_up{process="Ostro"}'), 1);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
