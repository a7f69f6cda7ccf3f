import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { StateStoreError } from '../../src/errors.js';
import { emptyProcessState, type ProcessState } from '../../src/state/model.js';
import { FileStateStore } from '../../src/state/state-store.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'hv-state-store-'));
after(() => rm(tmp, { recursive: true, force: true }));

/** A fresh store in its own directory, collecting warnings. */
async function newStore(): Promise<{ store: FileStateStore; warnings: string[]; dir: string }> {
  const dir = await mkdtemp(path.join(tmp, 's-'));
  const warnings: string[] = [];
  return { store: new FileStateStore(dir, { warn: (m) => warnings.push(m) }), warnings, dir };
}

/** A state with some content in every field. */
function sampleState(): ProcessState {
  const state = emptyProcessState();
  state.activeHost = 'Host_B';
  state.startedAt = 1000;
  state.startTimes = [900, 1000];
  state.hosts.Host_B = {
    lastObservation: { host: 'Host_B', kind: 'up', priority: 1, exitCode: 1, at: 1001, durationMs: 12 },
    badChecks: 0,
    failedStarts: 1,
    retryAfter: null,
    upSince: 1001,
    reachableSince: 1001,
    earlyDeaths: 0,
    lastUpAt: null,
    lastFailure: null,
  };
  state.lastAction = { type: 'start', host: 'Host_B', ok: true, reason: 'nothing up', at: 1000 };
  state.request = { type: 'move', host: 'Host_A', by: 'root@x', at: 1002 };
  state.counters.starts = 3;
  return state;
}

test('missing file loads as empty state; save then load round-trips', async () => {
  const { store, warnings } = await newStore();
  assert.deepEqual(await store.load('Ostro'), emptyProcessState());
  assert.equal(await store.save('Ostro', sampleState()), true);
  assert.deepEqual(await store.load('Ostro'), sampleState());
  assert.deepEqual(warnings, []);
});

test('loadAll returns every saved process, names with odd characters included', async () => {
  const { store } = await newStore();
  await store.save('Ostro', sampleState());
  await store.save('my app/1', emptyProcessState());
  const all = await store.loadAll();
  assert.deepEqual([...all.keys()], ['Ostro', 'my app/1']);
  assert.equal(all.get('Ostro')?.activeHost, 'Host_B');
});

test('extra fields from a newer model are kept', async () => {
  const { store } = await newStore();
  const state = { ...sampleState(), phase: 'running' } as ProcessState;
  await store.save('Ostro', state);
  assert.equal(((await store.load('Ostro')) as ProcessState & { phase?: string }).phase, 'running');
});

const damaged: Array<[string, (good: string) => string, RegExp]> = [
  ['truncated JSON', (good) => good.slice(0, Math.floor(good.length / 2)), /not valid JSON/],
  ['empty file', () => '', /empty file/],
  ['garbage', () => '\u0000\u0001garbage\n', /not valid JSON/],
  ['wrong shape', (good) => good.replace('"activeHost": "Host_B"', '"activeHost": 7'), /checksum mismatch/],
  ['foreign JSON', () => '{"hello": "world"}', /not an ha-valet state file/],
  [
    'unknown version',
    (good) => good.replace('"version": 1,\n "process"', '"version": 2,\n "process"'),
    /unknown file version 2/,
  ],
];

for (const [name, damage, problem] of damaged) {
  test(`a damaged state file (${name}) is moved aside with a warning and loads as empty`, async () => {
    const { store, warnings, dir } = await newStore();
    await store.save('Ostro', sampleState());
    const file = store.pathOf('Ostro');
    const good = await readFile(file, 'utf8');
    const bad = damage(good);
    assert.notEqual(bad, good, 'the damage must change the file');
    await writeFile(file, bad);
    assert.deepEqual(await store.load('Ostro'), emptyProcessState());
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, problem);
    assert.match(warnings[0]!, /moved it to .*\.corrupt-/);
    const names = await readdir(dir);
    const aside = names.filter((n) => n.includes('.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(path.join(dir, aside[0]!), 'utf8'), bad);
    // The next save works and the next load is clean.
    await store.save('Ostro', sampleState());
    assert.deepEqual(await store.load('Ostro'), sampleState());
    assert.equal(warnings.length, 1);
  });
}

test('a well-formed envelope whose state has the wrong shape is rejected by validation', async () => {
  const { store, warnings, dir } = await newStore();
  const bad = { ...sampleState(), hosts: { Host_B: { badChecks: 'many' } } } as unknown as ProcessState;
  await store.save('Ostro', bad);
  assert.deepEqual(await store.load('Ostro'), emptyProcessState());
  assert.match(warnings[0]!, /hosts\["Host_B"\]/);
  assert.equal((await readdir(dir)).filter((n) => n.includes('.corrupt-')).length, 1);
});

test('a state directory that cannot be written gives a StateStoreError that says where and why', async () => {
  const { dir } = await newStore();
  const notADir = path.join(dir, 'file');
  await writeFile(notADir, 'x');
  const store = new FileStateStore(notADir);
  await assert.rejects(store.save('Ostro', sampleState()), (error: unknown) => {
    assert.ok(error instanceof StateStoreError);
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /cannot write .*file.*Ostro\.state\.json.*check state_dir/);
    return true;
  });
});

test('a file written before fields were added to the model loads with their defaults', async () => {
  const { store, warnings } = await newStore();
  const old = sampleState() as unknown as Record<string, unknown>;
  delete old.status;
  delete old.downSince;
  delete (old.hosts as Record<string, Record<string, unknown>>).Host_B!.reachableSince;
  await store.save('Ostro', old as unknown as ProcessState);
  const loaded = await store.load('Ostro');
  assert.deepEqual(warnings, []);
  assert.equal(loaded.status, emptyProcessState().status);
  assert.equal(loaded.downSince, null);
  assert.equal(loaded.hosts.Host_B?.reachableSince, null);
  assert.equal(loaded.hosts.Host_B?.failedStarts, 1);
});
