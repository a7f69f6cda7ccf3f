/** The client-side hosts-file script, run by /bin/sh on real files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostsEntryConfig } from '../../src/config/model.js';
import { ensureEntryCommand, readEntryCommand } from '../../src/resources/hosts-commands.js';

/** Runs a command with /bin/sh, as the local executor does. */
function sh(command: string): { status: number | null; stdout: string } {
  const result = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout };
}

test('one line is rewritten, appended when missing, left alone when right; the rest stays', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-hosts-'));
  try {
    const file = path.join(dir, 'hosts');
    const entry: HostsEntryConfig = { name: 'db.internal', clients: ['app1'], file };
    writeFileSync(
      file,
      '127.0.0.1 localhost\n# 10.0.0.9 db.internal\n10.0.0.7 dbXinternal\n10.0.0.1 db db.internal',
    );
    chmodSync(file, 0o640);

    assert.deepEqual(sh(readEntryCommand(entry)), { status: 0, stdout: '10.0.0.1\n' });
    assert.deepEqual(sh(ensureEntryCommand(entry, '10.0.0.2')), { status: 0, stdout: 'changed 10.0.0.1\n' });
    assert.equal(
      readFileSync(file, 'utf8'),
      '127.0.0.1 localhost\n# 10.0.0.9 db.internal\n10.0.0.7 dbXinternal\n10.0.0.2\tdb.internal\n',
      "the name's line (even without a final newline) is replaced; '.' is no pattern; comments stay",
    );
    assert.equal(statSync(file).mode & 0o777, 0o640, 'the mode is kept');
    assert.deepEqual(sh(ensureEntryCommand(entry, '10.0.0.2')), {
      status: 0,
      stdout: 'unchanged 10.0.0.2\n',
    });

    writeFileSync(file, '127.0.0.1 localhost\n');
    assert.deepEqual(sh(readEntryCommand(entry)), { status: 0, stdout: '' });
    assert.deepEqual(sh(ensureEntryCommand(entry, '10.0.0.3')), { status: 0, stdout: 'changed none\n' });
    assert.equal(readFileSync(file, 'utf8'), '127.0.0.1 localhost\n10.0.0.3\tdb.internal\n');

    const missing = { ...entry, file: path.join(dir, 'nope', 'hosts') };
    assert.notEqual(sh(ensureEntryCommand(missing, '10.0.0.3')).status, 0, 'a missing file is a failure');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
