/** A group in status (issue 13): the group's row, its members indented under it, JSON and metrics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatusReport } from '../../src/report/status-model.js';
import { renderStatusTable } from '../../src/report/render-table.js';
import { StatusMetrics } from '../../src/report/metrics.js';
import { combineMemberObservations } from '../../src/probe/group-observation.js';
import type { ProcessState } from '../../src/state/model.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

const NAMES = ['role', 'nfs'];
const members = NAMES.map((name) => makeProcess(name, ['lolek', 'bolek'], { group: 'storage' }));
const storage = makeProcess('storage', ['lolek', 'bolek'], { members });

/** The report of the group with role up on lolek, nfs down there (partial), bolek all down. */
function partialReport() {
  const lolek = combineMemberObservations(
    'lolek',
    NAMES,
    [obs('lolek', 'up', 1), obs('lolek', 'down')],
    NOW - 3000,
  );
  const bolek = combineMemberObservations(
    'bolek',
    NAMES,
    [obs('bolek', 'down'), obs('bolek', 'down')],
    NOW - 3000,
  );
  const states = new Map<string, ProcessState>([['storage', makeState([lolek, bolek])]]);
  return buildStatusReport({ config: makeConfig([storage]), states, now: NOW });
}

test('table: the group row per host (a partial host says so), then each member per host, indented', () => {
  const lines = renderStatusTable(partialReport(), { color: false }).split('\n');
  assert.match(
    lines[1] ?? '',
    /^storage\s+down\s+ lolek\s+1\s+partial\s+-\s+3s ago\s.*partial: role up, nfs down$/,
  );
  assert.match(lines[2] ?? '', /^\s+ bolek\s+2\s+down\s+-\s+3s ago/);
  assert.match(lines[3] ?? '', /^ {2}role\s+ lolek\s+up\s+1$/);
  assert.match(lines[4] ?? '', /^\s+ bolek\s+down\s+-$/);
  assert.match(lines[5] ?? '', /^ {2}nfs\s+ lolek\s+down\s+-$/);
  assert.match(
    lines.join('\n'),
    /! storage: down: no host up \(lolek down \(partial: role up, nfs down\), bolek down\)/,
  );
});

test('JSON names the group and its members per host; metrics have a member label', async () => {
  const report = partialReport();
  const proc = report.processes[0]!;
  assert.equal(proc.group, 'storage');
  assert.deepEqual(
    proc.members?.map((m) => [m.name, m.hosts.map((h) => `${h.host}:${h.kind}`)]),
    [
      ['role', ['lolek:up', 'bolek:down']],
      ['nfs', ['lolek:down', 'bolek:down']],
    ],
  );
  const metrics = new StatusMetrics();
  metrics.update(report);
  const text = await metrics.registry.metrics();
  assert.match(text, /ha_valet_group_member_up\{process="storage",member="role",host="lolek"\} 1/);
  assert.match(text, /ha_valet_group_member_up\{process="storage",member="nfs",host="lolek"\} 0/);
  const single = buildStatusReport({
    config: makeConfig([makeProcess('Web', ['lolek'])]),
    states: new Map(),
    now: NOW,
  });
  assert.equal(single.processes[0]!.members, null);
});
