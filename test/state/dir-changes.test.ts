/**
 * DirChanges: a file is looked at when inotify saw it change, on the first ask,
 * and every recheck period; unsure (watching failed) always means "look".
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DirChanges } from '../../src/state/dir-changes.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

test('dir changes: first ask, then only after an event or the recheck period', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-dirchanges-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const changes = new DirChanges(dir, 60_000);
  t.after(() => changes.close());
  const now = Date.now();
  assert.equal(changes.mayHaveChanged('a.request.json', now), true, 'first ask looks');
  assert.equal(changes.mayHaveChanged('a.request.json', now), false, 'nothing happened since');
  writeFileSync(path.join(dir, 'a.request.json.tmp'), '{}');
  renameSync(path.join(dir, 'a.request.json.tmp'), path.join(dir, 'a.request.json'));
  await settle();
  assert.equal(changes.mayHaveChanged('a.request.json', now), true, 'the rename was seen');
  assert.equal(changes.mayHaveChanged('a.request.json', now), false);
  assert.equal(changes.mayHaveChanged('b.request.json', now), true, 'another file: its own first ask');
  assert.equal(changes.mayHaveChanged('a.request.json', now + 60_000), true, 'rechecked after the period');
  writeFileSync(path.join(dir, 'journal.jsonl'), 'x\n');
  await settle();
  assert.equal(
    (changes as unknown as { changed: Set<string> }).changed.size,
    0,
    'names nobody asked about are not kept (temp files, the journal)',
  );
});

test('dir changes: a directory that cannot be watched means always look', () => {
  const changes = new DirChanges('/nonexistent/hv-dirchanges');
  assert.equal(changes.mayHaveChanged('x'), true);
  assert.equal(changes.mayHaveChanged('x'), true);
});

test('dir changes: a directory removed while watched means always look', async (t) => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'hv-dirchanges-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const dir = path.join(parent, 'state');
  mkdirSync(dir);
  const changes = new DirChanges(dir, 60_000);
  t.after(() => changes.close());
  const now = Date.now();
  assert.equal(changes.mayHaveChanged('x', now), true);
  assert.equal(changes.mayHaveChanged('x', now), false);
  rmSync(dir, { recursive: true });
  await settle();
  assert.equal(changes.mayHaveChanged('x', now), true);
  assert.equal(changes.mayHaveChanged('x', now), true, 'and keeps looking');
});
