import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatusReport } from '../../src/report/status-model.js';
import { renderNagios, renderNagiosUnknown } from '../../src/report/nagios.js';
import type { ProcessState } from '../../src/state/model.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

/** One perfdata item per the monitoring-plugins guidelines: 'label'=value[UOM];[warn];[crit];[min];[max]. */
const PERF_ITEM = /^'[^'=]+'=-?[\d.]+(s|%|B|KB|MB|TB|c)?;[\d.:~@-]*;[\d.:~@-]*;[\d.-]*;[\d.-]*$/;

test('nagios: OK line with perfdata, one long-output line per process', () => {
  const config = makeConfig([makeProcess('Ostro', ['Host_A', 'Host_B']), makeProcess('Web', ['Host_A'])]);
  const states = new Map<string, ProcessState>([
    ['Ostro', makeState([obs('Host_A', 'up', 1), obs('Host_B', 'down')], { startTimes: [NOW - 1000] })],
    ['Web', makeState([obs('Host_A', 'up', 1, 7000)])],
  ]);
  const result = renderNagios(buildStatusReport({ config, states, now: NOW }));
  assert.equal(result.exitCode, 0);
  const [first, ...rest] = result.text.trimEnd().split('\n');
  assert.ok(first);
  const [head, perf] = first.split(' | ');
  assert.equal(head, 'HA-VALET OK - 2 processes up');
  const items = (perf ?? '').split(' ');
  for (const item of items) assert.match(item, PERF_ITEM);
  assert.ok(items.includes("'Ostro_up'=1;;;0;1"));
  assert.ok(items.includes("'Ostro_restarts'=1;;10;0;"));
  assert.ok(items.includes("'Web_check_age'=7s;;;0;"));
  assert.deepEqual(rest, ['Ostro: OK - up on Host_A (priority 1)', 'Web: OK - up on Host_A (priority 1)']);
});

test('nagios: CRITICAL names the failing process and counts the rest', () => {
  const config = makeConfig([makeProcess('Ostro', ['Host_A', 'Host_B']), makeProcess('Web', ['Host_A'])]);
  const states = new Map<string, ProcessState>([
    ['Ostro', makeState([obs('Host_A', 'down'), obs('Host_B', 'down')])],
    ['Web', makeState([obs('Host_A', 'up', 1)])],
  ]);
  const result = renderNagios(buildStatusReport({ config, states, now: NOW }));
  assert.equal(result.exitCode, 2);
  assert.match(
    result.text,
    /^HA-VALET CRITICAL - Ostro: down: no host up \(Host_A down, Host_B down\) \(1 of 2 processes up\) \| 'Ostro_up'=0;;;0;1/,
  );
});

test('nagios: UNKNOWN output for a check that could not run; no stray pipes or newlines', () => {
  const result = renderNagiosUnknown('config error: /etc/x.cfg line 3 | bad\nkey');
  assert.equal(result.exitCode, 3);
  assert.equal(result.text, 'HA-VALET UNKNOWN - config error: /etc/x.cfg line 3 / bad key\n');
});
