/** `ha-valet history` run as a real process against a real journal. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FileJournal } from '../../src/state/journal.js';
import { openStateLayout } from '../../src/state/state-dir.js';
import { runCliProcess } from '../helpers/run-cli.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'hv-history-'));
after(() => rm(tmp, { recursive: true, force: true }));
const stateDir = path.join(tmp, 'state');
const configPath = path.join(tmp, 'ha_valet.cfg');
const hour = 3_600_000;
const now = Date.now();

before(async () => {
  await writeFile(
    configPath,
    [
      '[DEFAULT]',
      `state_dir = ${stateDir}`,
      '[Ostro]',
      'host = Host_A',
      'stand_by_list = Host_A, Host_B',
      'start = true',
      'stop = true',
      'test = true',
      '[Web]',
      'host = Host_A',
      'start = true',
      'stop = true',
      'test = true',
      '',
    ].join('\n'),
  );
  const layout = await openStateLayout(stateDir, configPath);
  const journal = new FileJournal(layout.journalPath);
  await journal.append({
    at: now - 3 * hour,
    process: 'Ostro',
    event: 'start',
    host: 'Host_A',
    command: 'x',
    exitCode: 1,
    durationMs: 40,
    ok: false,
    reason: 'nothing up',
  });
  await journal.append({
    at: now - 2 * hour,
    process: 'Ostro',
    event: 'start',
    host: 'Host_B',
    exitCode: 0,
    durationMs: 812.4,
    ok: true,
    reason: 'Host_A start failed',
  });
  await journal.append({
    at: now - 1 * hour,
    process: 'Web',
    event: 'operator',
    by: 'root@box',
    reason: 'maintenance on',
  });
  await appendFile(layout.journalPath, '{"torn": ');
});

test('prints one human line per entry, oldest first', async () => {
  const r = await runCliProcess(['-c', configPath, 'history']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(
    lines[1]!,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Ostro start on Host_B ok exit 0 \(812 ms\): Host_A start failed$/,
  );
  assert.match(lines[0]!, / Ostro start on Host_A failed exit 1 \(40 ms\): nothing up$/);
  assert.match(lines[2]!, / Web operator by root@box: maintenance on$/);
  assert.match(r.stderr, /skipped 1 malformed line/);
});

test('filters by process, since and limit; --json prints the entries', async () => {
  const r = await runCliProcess(['-c', configPath, 'history', '-p', 'Ostro', '--since', '150m', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as Array<{ host: string }>;
  assert.deepEqual(
    entries.map((e) => e.host),
    ['Host_B'],
  );
  const iso = new Date(now - 2.5 * hour).toISOString();
  const r2 = await runCliProcess(['-c', configPath, 'history', '--since', iso, '--limit', '1']);
  assert.match(r2.stdout, /^\S+ Web operator/);
  assert.equal(r2.stdout.trimEnd().split('\n').length, 1);
});

test('a bad --since or --limit is a usage error (exit 2) that shows the right form', async () => {
  const r = await runCliProcess(['-c', configPath, 'history', '--since', 'yesterday']);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /--since expects a duration like .* or an ISO time like 2026-11-22T12:00:00Z, got 'yesterday'/,
  );
  const r2 = await runCliProcess(['-c', configPath, 'history', '--limit', '-3']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--limit expects a whole number/);
});

test('an unknown process name is reported; an empty journal is not an error', async () => {
  const r = await runCliProcess(['-c', configPath, 'history', '-p', 'Nope']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no process named Nope in .*ha_valet\.cfg or its journal; processes: Ostro, Web/);
});
