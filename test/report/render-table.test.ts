import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatusReport } from '../../src/report/status-model.js';
import { renderStatusTable, shouldUseColor } from '../../src/report/render-table.js';
import { describeAge } from '../../src/report/format.js';
import type { ProcessState } from '../../src/state/model.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

/** A two-process report: Ostro failed over to Host_B, Web down. */
function sampleReport() {
  const config = makeConfig([makeProcess('Ostro', ['Host_A', 'Host_B']), makeProcess('Web', ['Host_A'])]);
  const states = new Map<string, ProcessState>([
    [
      'Ostro',
      makeState([obs('Host_A', 'down', undefined, 3000), obs('Host_B', 'up', 1, 3000)], {
        lastAction: { type: 'start', host: 'Host_B', ok: true, reason: 'Host_A down', at: NOW - 125_000 },
        startTimes: [NOW - 125_000],
      }),
    ],
    ['Web', makeState([obs('Host_A', 'unreachable', undefined, 4000, 'timed out after 10000 ms')])],
  ]);
  return buildStatusReport({
    config,
    states,
    now: NOW,
    watcher: { alive: true, heartbeatAt: NOW - 2000, pid: 77, configMatches: true },
  });
}

test('table: aligned plain rows, one per host, active host starred', () => {
  const text = renderStatusTable(sampleReport(), { color: false });
  assert.ok(!text.includes('\u001b['), 'no ANSI escapes');
  const lines = text.split('\n');
  assert.match(
    lines[0] ?? '',
    /^PROCESS\s+STATE\s+HOST\s+RANK\s+CHECK\s+PRIO\s+CHECKED\s+LAST ACTION\s+RESTARTS\s+FLAGS\s+NOTE$/,
  );
  assert.match(
    lines[1] ?? '',
    /^Ostro\s+up\s+ Host_A\s+1\s+down\s+-\s+3s ago\s+start Host_B ok 2m ago\s+1\/10\s+not-preferred$/,
  );
  assert.match(lines[2] ?? '', /^\s+\*Host_B\s+2\s+up\s+1\s+3s ago$/);
  assert.match(
    lines[3] ?? '',
    /^Web\s+unknown\s+ Host_A\s+1\s+unreachable\s+-\s+4s ago\s+-\s+0\/10\s+timed out after 10000 ms$/,
  );
  const hostColumn = (lines[0] ?? '').indexOf('HOST');
  for (const line of lines.slice(1, 4)) assert.match(line.slice(hostColumn), /^[ *]Host_/);
  assert.match(
    text,
    /WARNING: 2 processes: 1 up, 1 unknown; watcher alive \(pid 77, heartbeat 2s ago\); watcher's last checks/,
  );
  assert.match(text, /! Web: unknown: no host could be checked/);
});

test('table: colour only when asked; NO_COLOR and non-TTY turn it off', () => {
  assert.ok(renderStatusTable(sampleReport(), { color: true }).includes('\u001b[32mup'));
  assert.equal(shouldUseColor({ isTTY: true }, {}), true);
  assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(shouldUseColor({ isTTY: false }, {}), false);
  assert.equal(shouldUseColor({}, {}), false);
});

test('ages read like an operator says them', () => {
  assert.equal(describeAge(3400), '3s ago');
  assert.equal(describeAge(150_000), '2m ago');
  assert.equal(describeAge(3 * 3600_000), '3h ago');
  assert.equal(describeAge(3 * 86400_000), '3d ago');
  assert.equal(describeAge(null), 'never');
});
