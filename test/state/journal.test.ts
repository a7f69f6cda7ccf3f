import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { StateStoreError } from '../../src/errors.js';
import { FileJournal } from '../../src/state/journal.js';
import { emptyProcessState } from '../../src/state/model.js';
import { FileStateStore } from '../../src/state/state-store.js';
import type { JournalEntry } from '../../src/state/model.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'hv-journal-'));
after(() => rm(tmp, { recursive: true, force: true }));
let seq = 0;

/** A fresh journal path in its own directory. */
async function journalPath(): Promise<string> {
  const dir = path.join(tmp, `j${seq++}`);
  await mkdir(dir);
  return path.join(dir, 'journal.jsonl');
}

/** An entry with a recognisable time. */
function entry(at: number, process = 'Ostro', extra: Partial<JournalEntry> = {}): JournalEntry {
  return {
    at,
    process,
    event: 'start',
    host: 'Host_B',
    command: 'start-ostro',
    exitCode: 0,
    durationMs: 812,
    ok: true,
    reason: 'nothing up',
    ...extra,
  };
}

test('appends and reads back in order, with process, since and limit filters', async () => {
  const journal = new FileJournal(await journalPath());
  for (let i = 1; i <= 10; i += 1) await journal.append(entry(i * 1000, i % 2 ? 'Ostro' : 'Web'));
  assert.deepEqual(
    (await journal.read()).map((e) => e.at),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => i * 1000),
  );
  assert.deepEqual(
    (await journal.read({ process: ['Web'] })).map((e) => e.at),
    [2000, 4000, 6000, 8000, 10000],
  );
  assert.deepEqual(
    (await journal.read({ since: 8000 })).map((e) => e.at),
    [8000, 9000, 10000],
  );
  assert.deepEqual(
    (await journal.read({ process: ['Ostro'], limit: 2 })).map((e) => e.at),
    [7000, 9000],
  );
  assert.deepEqual(await journal.read({ process: ['Nope'] }), []);
});

test('reading a journal that does not exist gives no entries', async () => {
  assert.deepEqual(await new FileJournal(await journalPath()).read(), []);
});

test('rotation keeps the total size bounded and the newest entries readable', async () => {
  const file = await journalPath();
  const journal = new FileJournal(file, { maxBytes: 4096, keep: 2 });
  const total = 600;
  for (let i = 1; i <= total; i += 1) await journal.append(entry(i));
  let bytes = 0;
  for (const f of journal.files()) bytes += (await stat(f).catch(() => ({ size: 0 }))).size;
  assert.ok(bytes <= 3 * 4096, `journal takes ${bytes} bytes, bound ${3 * 4096}`);
  await assert.rejects(stat(`${file}.3`), /ENOENT/);
  const read = await journal.read();
  assert.ok(read.length > 50);
  // Contiguous and ending with the newest: rotation lost only the oldest.
  assert.deepEqual(
    read.map((e) => e.at),
    Array.from({ length: read.length }, (_, i) => total - read.length + 1 + i),
  );
  assert.equal(journal.skippedLines, 0);
});

test('a torn last line and malformed lines are skipped and counted; the next append seals the torn line', async () => {
  const file = await journalPath();
  await writeFile(
    file,
    `${JSON.stringify(entry(1))}\nnot json\n{"at":2}\n${JSON.stringify(entry(3)).slice(0, 30)}`,
  );
  const journal = new FileJournal(file);
  assert.deepEqual(
    (await journal.read()).map((e) => e.at),
    [1],
  );
  assert.equal(journal.skippedLines, 3);
  await journal.append(entry(4));
  assert.deepEqual(
    (await journal.read()).map((e) => e.at),
    [1, 4],
  );
  assert.equal(journal.skippedLines, 3);
  assert.match(await readFile(file, 'utf8'), /\n\{"at":4,/);
});

test('concurrent appends from one process keep every line whole', async () => {
  const journal = new FileJournal(await journalPath(), { maxBytes: 64 * 1024 });
  await Promise.all(
    Array.from({ length: 200 }, (_, i) => journal.append(entry(i, 'Ostro', { reason: 'x'.repeat(i) }))),
  );
  const read = await journal.read();
  assert.equal(journal.skippedLines, 0);
  assert.equal(read.length, 200);
});

test('a full disk (ENOSPC on a 64 KiB tmpfs): the journal warns once and goes on; a state save throws StateStoreError and keeps the old state', async () => {
  // A real full filesystem needs a tmpfs mount, so root (the suite runs as root: it installs sshd and etcd).
  const mountPoint = path.join(tmp, 'tiny');
  await mkdir(mountPoint);
  assert.equal(process.getuid?.(), 0, 'this test mounts a 64 KiB tmpfs: run the suite as root');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { stdio: 'ignore' });
  try {
    const warnings: string[] = [];
    const file = path.join(mountPoint, 'journal.jsonl');
    const journal = new FileJournal(file, { maxBytes: 1024 * 1024, warn: (m) => warnings.push(m) });
    await journal.append(entry(1));
    const store = new FileStateStore(mountPoint);
    const state = emptyProcessState();
    state.activeHost = 'Host_A';
    await store.save('Ostro', state);
    await appendFile(path.join(mountPoint, 'filler'), Buffer.alloc(64 * 1024)).catch(() => undefined);
    for (let i = 2; i <= 20; i += 1) await journal.append(entry(i, 'Ostro', { reason: 'y'.repeat(4000) }));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      /cannot append to journal .*journal\.jsonl \(ENOSPC\): the filesystem is full/,
    );
    const big = { ...state, activeHost: 'Host_B', startTimes: Array.from({ length: 20_000 }, (_, i) => i) };
    await assert.rejects(store.save('Ostro', big), (error: unknown) => {
      assert.ok(error instanceof StateStoreError);
      assert.match(
        error.message,
        /cannot write .*Ostro\.state\.json: the filesystem is full \(ENOSPC\); free space on it or set state_dir/,
      );
      return true;
    });
    assert.equal((await store.load('Ostro')).activeHost, 'Host_A');
    assert.deepEqual(
      (await readdir(mountPoint)).filter((n) => n.includes('.tmp-')),
      [],
    );
    await rm(path.join(mountPoint, 'filler'));
    await journal.append(entry(21));
    assert.match(warnings[1] ?? '', /writable again/);
    assert.deepEqual(
      (await journal.read()).map((e) => e.at).filter((at) => at === 1 || at === 21),
      [1, 21],
    );
  } finally {
    execFileSync('umount', [mountPoint]);
  }
});
