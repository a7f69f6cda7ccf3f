/**
 * A state file carries operator requests and latches: the local coordinator uses
 * only one owned by root or the running user, and never reads through a symlink.
 * A refused file is moved aside, warned about and journaled; the pass starts empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chownSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCoordinator } from '../../src/coord/local-coordinator.js';
import { emptyProcessState } from '../../src/state/model.js';
import { openStateLayout } from '../../src/state/state-dir.js';

/** A coordinator over a fresh state dir whose Ostro state asks for a `stop` (saved by us). */
async function withRequest(): Promise<{
  tmp: string;
  file: string;
  coordinator: LocalCoordinator;
  warnings: string[];
}> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hv-qfix-state-trust-'));
  const layout = await openStateLayout(tmp, path.join(tmp, 'ha_valet.cfg'));
  const warnings: string[] = [];
  const coordinator = new LocalCoordinator(layout, { watcherId: 'me', warn: (m) => warnings.push(m) });
  const state = { ...emptyProcessState(), request: { type: 'stop' as const, host: null, by: 'op', at: 1 } };
  await coordinator.state.save('Ostro', state);
  return { tmp, file: layout.statePath('Ostro'), coordinator, warnings };
}

test('our own state file is used, its request included', async () => {
  const w = await withRequest();
  try {
    assert.equal((await w.coordinator.state.load('Ostro')).request?.type, 'stop');
    assert.deepEqual(w.warnings, []);
  } finally {
    rmSync(w.tmp, { recursive: true, force: true });
  }
});

test('a state file owned by another user is refused, moved aside and journaled: its request is not honoured', async () => {
  const w = await withRequest();
  try {
    chownSync(w.file, 65534, 65534);
    const state = await w.coordinator.state.load('Ostro');
    assert.equal(state.request, null);
    assert.match(
      w.warnings.join('\n'),
      /state file .* is owned by .*not by root or the user ha-valet runs as/,
    );
    const refused = (await w.coordinator.journal.read()).filter((e) => e.event === 'state-refused');
    assert.equal(refused.length, 1);
    assert.ok(readdirSync(path.dirname(w.file)).some((n) => n.includes('.refused-')));
    assert.equal((await w.coordinator.state.load('Ostro')).request, null, 'moved aside: empty from now on');
    assert.equal((await w.coordinator.journal.read()).filter((e) => e.event === 'state-refused').length, 1);
  } finally {
    rmSync(w.tmp, { recursive: true, force: true });
  }
});

test('a state file that is a symlink is never read through', async () => {
  const w = await withRequest();
  try {
    const target = path.join(w.tmp, 'elsewhere.json');
    writeFileSync(target, readFileSync(w.file, 'utf8'));
    rmSync(w.file);
    symlinkSync(target, w.file);
    const state = await w.coordinator.state.load('Ostro');
    assert.equal(state.request, null);
    assert.match(w.warnings.join('\n'), /state file .* is a symlink: refused/);
    assert.equal((await w.coordinator.journal.read()).filter((e) => e.event === 'state-refused').length, 1);
  } finally {
    rmSync(w.tmp, { recursive: true, force: true });
  }
});
