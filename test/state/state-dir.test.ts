import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readHeartbeat, writeHeartbeat } from '../../src/state/heartbeat.js';
import {
  configKey,
  openStateLayout,
  processOfStateFile,
  resolveStateDir,
  stateFileName,
} from '../../src/state/state-dir.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'hv-state-dir-'));
after(() => rm(tmp, { recursive: true, force: true }));

test('resolveStateDir: configured, root, XDG, home', () => {
  assert.equal(resolveStateDir('/srv/hv', {}, 0), '/srv/hv');
  assert.equal(resolveStateDir(undefined, { XDG_STATE_HOME: '/x' }, 0), '/var/lib/ha-valet');
  assert.equal(resolveStateDir(undefined, { XDG_STATE_HOME: '/x/state' }, 1000), '/x/state/ha-valet');
  assert.equal(resolveStateDir(undefined, { HOME: '/home/u' }, 1000), '/home/u/.local/state/ha-valet');
  assert.equal(
    resolveStateDir(undefined, { XDG_STATE_HOME: 'relative', HOME: '/home/u' }, 1000),
    '/home/u/.local/state/ha-valet',
  );
});

test('configKey is stable per absolute path and differs between configs', () => {
  assert.equal(configKey('/etc/ha-valet/ha_valet.cfg'), configKey('/etc/ha-valet/../ha-valet/ha_valet.cfg'));
  assert.notEqual(configKey('/etc/a/ha_valet.cfg'), configKey('/etc/b/ha_valet.cfg'));
  assert.match(configKey('/x'), /^[0-9a-f]{12}$/);
});

test('openStateLayout creates one 0750 directory per config', async () => {
  const a = await openStateLayout(tmp, '/etc/a/ha_valet.cfg');
  const b = await openStateLayout(tmp, '/etc/b/ha_valet.cfg');
  assert.notEqual(a.dir, b.dir);
  assert.match(path.basename(a.dir), /^ha_valet\.cfg-[0-9a-f]{12}$/);
  assert.equal((await stat(a.dir)).mode & 0o777, 0o750);
  assert.equal(path.dirname(a.journalPath), a.dir);
  assert.equal(path.dirname(a.statePath('Ostro')), a.dir);
  assert.notEqual(a.lockPath, b.lockPath);
});

test('state file names are safe and reversible for any process name', () => {
  for (const name of ['Ostro', 'my.app', '../../etc/passwd', 'a b/c', 'Ünïcode', '%41', '.state.json']) {
    const file = stateFileName(name);
    assert.doesNotMatch(file.slice(0, -'.state.json'.length), /[./ ]/);
    assert.equal(processOfStateFile(file), name);
  }
  assert.equal(processOfStateFile('journal.jsonl'), null);
  assert.equal(processOfStateFile('Ostro.state.json.corrupt-20260101T000000000Z'), null);
});

test('heartbeat round-trips; missing or malformed reads as null', async () => {
  const file = path.join(tmp, 'heartbeat.json');
  assert.equal(await readHeartbeat(file), null);
  const info = { pid: 42, startedAt: 1, configPath: '/etc/x.cfg', configHash: 'abc', at: 2 };
  await writeHeartbeat(file, info);
  assert.deepEqual(await readHeartbeat(file), info);
  await writeFile(file, '{"pid": 42');
  assert.equal(await readHeartbeat(file), null);
});
