/**
 * Which spawner runs local commands: Python ≥ 3.8, else Perl, else Node
 * itself; HA_VALET_SPAWN picks one; a missing or too old interpreter, or a
 * helper that dies before answering, falls back. Real interpreters and real
 * stand-ins (a `python3` script that reports 3.6) in a temporary PATH.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { chooseSpawnHelper } from '../../src/exec/choose-spawn-helper.js';
import { SpawnHelperPool } from '../../src/exec/spawn-helper.js';
import { ensurePython3 } from '../helpers/debian-package.js';

ensurePython3();

const dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-spawn-choice-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A directory for PATH holding `links` (name → real program) and `scripts` (name → sh text). */
function pathDir(name: string, links: Record<string, string>, scripts: Record<string, string> = {}): string {
  const bin = path.join(dir, name);
  mkdirSync(bin); // fails loudly if a name is used twice
  for (const [link, target] of Object.entries(links)) symlinkSync(target, path.join(bin, link));
  for (const [file, text] of Object.entries(scripts)) {
    writeFileSync(path.join(bin, file), `#!/bin/sh\n${text}\n`);
    chmodSync(path.join(bin, file), 0o755);
  }
  return bin;
}

const PERL = '/usr/bin/perl';
const PYTHON = '/usr/bin/python3';

test('by default the Python helper runs, as python3 -I -S -c, when Python is 3.8 or later', () => {
  const program = chooseSpawnHelper({ searchPath: pathDir('default', { perl: PERL }) });
  assert.equal(program?.kind, 'python');
  assert.equal(program.command, PYTHON);
  assert.deepEqual(program.args.slice(0, 3), ['-I', '-S', '-c']);
  assert.match(program.description, /^\/usr\/bin\/python3 3\.\d+$/);
});

test('without /usr/bin/python3, python3 from PATH; without either, Perl; without Perl, direct', () => {
  const missing = ['/nonexistent/python3'];
  const fromPath = chooseSpawnHelper({
    pythonPaths: missing,
    searchPath: pathDir('python-in-path', { python3: PYTHON, perl: PERL }),
  });
  assert.equal(fromPath?.kind, 'python');
  assert.match(fromPath.command, /python-in-path/);
  const perl = chooseSpawnHelper({ pythonPaths: missing, searchPath: pathDir('perl-only', { perl: PERL }) });
  assert.equal(perl?.kind, 'perl');
  assert.equal(chooseSpawnHelper({ pythonPaths: missing, searchPath: pathDir('empty', {}) }), null);
});

test('a Python older than 3.8 is passed over (its version asked once when its name does not say)', () => {
  const bin = pathDir('old-python', { perl: PERL }, { python3: 'echo 3.6' });
  const program = chooseSpawnHelper({ pythonPaths: [path.join(bin, 'python3')], searchPath: bin });
  assert.equal(program?.kind, 'perl');
  const named = pathDir('named-old-python', { perl: PERL }, { 'python3.7': 'exit 0' });
  symlinkSync(path.join(named, 'python3.7'), path.join(named, 'python3'));
  assert.equal(chooseSpawnHelper({ pythonPaths: [], searchPath: named })?.kind, 'perl');
});

test('HA_VALET_SPAWN picks a spawner; one that cannot run here falls back in the usual order', () => {
  const both = pathDir('both', { perl: PERL });
  assert.equal(chooseSpawnHelper({ requested: 'perl', searchPath: both })?.kind, 'perl');
  assert.equal(chooseSpawnHelper({ requested: 'python', searchPath: both })?.kind, 'python');
  assert.equal(chooseSpawnHelper({ requested: 'direct', searchPath: both }), null);
  assert.equal(
    chooseSpawnHelper({ requested: 'helper', searchPath: both })?.kind,
    'python',
    'unknown: default',
  );
  const noPerl = pathDir('no-perl', {});
  assert.equal(chooseSpawnHelper({ requested: 'perl', searchPath: noPerl })?.kind, 'python');
  assert.equal(chooseSpawnHelper({ exclude: new Set(['python']), searchPath: both })?.kind, 'perl');
});

test('a helper program that is missing or exits before answering fails its command and is dropped', async () => {
  const missing = new SpawnHelperPool({
    kind: 'python',
    command: '/nonexistent/python3',
    args: [],
    description: 'missing',
  });
  const notRun = await missing.run('exit 1', 5000);
  assert.equal(notRun.exitCode, null);
  assert.match(notRun.transportError ?? '', /spawn helper ended/);
  assert.equal(missing.isAvailable(), false);

  const quitter = new SpawnHelperPool({
    kind: 'perl',
    command: '/bin/sh',
    args: ['-c', 'exit 3'],
    description: 'sh',
  });
  assert.match((await quitter.run('exit 1', 5000)).transportError ?? '', /spawn helper ended/);
  assert.equal(quitter.isAvailable(), false);
});
