import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessWatcher, hashConfigText, staleAfterMs } from '../../src/report/watcher-health.js';
import { programOf } from '../../src/report/full-checks.js';

const beat = {
  pid: 1234,
  startedAt: 0,
  configPath: '/etc/ha-valet/ha_valet.cfg',
  configHash: hashConfigText('a = 1\n'),
  at: 100_000,
};

test('watcher: alive while the heartbeat is fresh and its pid lives', () => {
  const alive = () => true;
  assert.deepEqual(
    assessWatcher(beat, {
      now: 110_000,
      staleAfterMs: 30_000,
      configHash: hashConfigText('a = 1\n'),
      isPidAlive: alive,
    }),
    {
      alive: true,
      heartbeatAt: 100_000,
      pid: 1234,
      configMatches: true,
    },
  );
  assert.equal(
    assessWatcher(beat, { now: 140_001, staleAfterMs: 30_000, configHash: null, isPidAlive: alive }).alive,
    false,
    'stale',
  );
  assert.equal(
    assessWatcher(beat, { now: 110_000, staleAfterMs: 30_000, configHash: null, isPidAlive: () => false })
      .alive,
    false,
    'dead pid',
  );
  assert.equal(
    assessWatcher(beat, {
      now: 110_000,
      staleAfterMs: 30_000,
      configHash: hashConfigText('a = 2\n'),
      isPidAlive: alive,
    }).configMatches,
    false,
  );
  assert.deepEqual(assessWatcher(null, { now: 1, staleAfterMs: 1, configHash: null }), {
    alive: false,
    heartbeatAt: null,
    pid: null,
    configMatches: null,
  });
  assert.equal(staleAfterMs(5000), 30_000);
  assert.equal(staleAfterMs(60_000), 180_000);
});

test('full checks: the program a command runs first', () => {
  assert.equal(programOf('/opt/ostro/bin/ostro start'), '/opt/ostro/bin/ostro');
  assert.equal(programOf('FOO=1 BAR=2 exec redis-server --port 1'), 'redis-server');
  assert.equal(programOf("'/usr/bin/python3' x.py"), '/usr/bin/python3');
  assert.equal(programOf('(cd /x && ./y)'), null);
  assert.equal(programOf('$(which x)'), null);
});
