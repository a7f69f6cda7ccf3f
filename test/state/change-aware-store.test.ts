/** ChangeAwareStateStore over real state files: writes only durable changes; another writer's record wins. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ChangeAwareStateStore } from '../../src/state/change-aware-store.js';
import { emptyProcessState, type ProcessState } from '../../src/state/model.js';
import { FileStateStore } from '../../src/state/state-store.js';
import { obs } from '../helpers/process-config.js';

/** A state with one host last seen as `observation`, `badChecks` in a row bad. */
function seen(observation: ReturnType<typeof obs.up>, badChecks = 0): ProcessState {
  const record = {
    lastObservation: observation,
    badChecks,
    failedStarts: 0,
    earlyDeaths: 0,
    retryAfter: null,
    upSince: null,
    reachableSince: 5,
    lastUpAt: observation.kind === 'up' ? observation.at : null,
    lastFailure: null,
  };
  return { ...emptyProcessState(), status: 'up', hosts: { A: record } };
}

test('only durable changes are written; the newest state is kept in memory; force writes twice', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hv-change-'));
  try {
    const files = new FileStateStore(dir);
    const store = new ChangeAwareStateStore(files, () => ({ checkCount: 2, minUptimeMs: 1000 }));
    await store.load('P');
    assert.equal(await store.save('P', seen(obs.up('A', 1, 100))), true);
    const token = await files.changeToken('P');
    await store.save('P', seen(obs.up('A', 1, 200)));
    await store.save('P', seen(obs.down('A', 300), 2));
    assert.notEqual(await files.changeToken('P'), token, 'up → down is durable');
    const afterDown = await files.changeToken('P');
    await store.save('P', seen(obs.down('A', 400), 3)); // past check_count: not news
    assert.equal(await files.changeToken('P'), afterDown);
    assert.equal(store.skippedSaves, 2);
    assert.equal((await store.load('P')).hosts.A!.lastObservation!.at, 400, 'memory has the newest');
    assert.equal((await files.load('P')).hosts.A!.lastObservation!.at, 300, 'the file the last durable one');
    await store.save('P', seen(obs.down('A', 500), 3), true);
    await store.save('P', seen(obs.down('A', 600), 3));
    assert.equal((await files.load('P')).hosts.A!.lastObservation!.at, 600, 'force, then one more write');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a record written by someone else wins over the kept state', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hv-change-'));
  try {
    const files = new FileStateStore(dir);
    const store = new ChangeAwareStateStore(files, () => ({ checkCount: 1, minUptimeMs: 1000 }));
    await store.save('P', seen(obs.up('A', 1, 100)));
    await store.save('P', seen(obs.up('A', 1, 200)));
    await files.save('P', { ...seen(obs.up('A', 1, 150)), maintenance: true });
    const loaded = await store.load('P');
    assert.equal(loaded.maintenance, true);
    assert.equal(loaded.hosts.A!.lastObservation!.at, 150);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the last sighting up is durable only within min_uptime of the start', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hv-change-'));
  try {
    const files = new FileStateStore(dir);
    const store = new ChangeAwareStateStore(files, () => ({ checkCount: 1, minUptimeMs: 1000 }));
    const started = (at: number): ProcessState => ({
      ...seen(obs.up('A', 1, at)),
      activeHost: 'A',
      startedAt: 0,
    });
    await store.save('P', started(100));
    await store.save('P', started(200)); // still within min_uptime: an early death would be judged by it
    await store.save('P', started(1500)); // past min_uptime: written once
    await store.save('P', started(2500)); // past it again: nothing new for decide
    assert.equal(store.skippedSaves, 1);
    assert.equal((await files.load('P')).hosts.A!.lastUpAt, 1500);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
