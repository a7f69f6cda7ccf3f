/**
 * kill -9 of a writer mid-save: loaded again, the state is always a complete
 * old-or-new version, never damaged, and the dead writer's temp files are swept.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FileStateStore } from '../../src/state/state-store.js';
import { spawnHelper } from './helpers/spawn-child.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'hv-state-kill-'));
after(() => rm(tmp, { recursive: true, force: true }));

const TRIALS = 20;

test(`state survives kill -9 of the writer mid-save (${TRIALS} trials)`, async (t) => {
  const warnings: string[] = [];
  let previous = 0;
  let sawTempFile = false;
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const child = spawnHelper('save-loop', [tmp, 'Ostro']);
    assert.equal(await child.firstLine, 'ready');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    child.proc.kill('SIGKILL');
    assert.equal(await child.exited, 'SIGKILL');
    sawTempFile ||= (await readdir(tmp)).some((n) => n.includes('.tmp-'));
    const store = new FileStateStore(tmp, { warn: (m) => warnings.push(m) });
    const state = await store.load('Ostro');
    assert.ok(
      state.counters.starts > previous,
      `trial ${trial}: starts ${state.counters.starts} after ${previous}`,
    );
    assert.equal(Object.keys(state.hosts).length, 300);
    assert.equal(
      state.hosts['host-299']?.badChecks,
      state.counters.starts,
      'every host record from the same save',
    );
    previous = state.counters.starts;
    assert.deepEqual(
      (await readdir(tmp)).filter((n) => n.includes('.tmp-')),
      [],
      "dead writers' temp files are swept",
    );
  }
  assert.deepEqual(warnings, [], 'no state file was ever damaged');
  // Informational: whether some kill landed between open and rename.
  t.diagnostic(`a kill left a temp file behind: ${sawTempFile}`);
});
