/** Which command an argv invokes (main.ts registers only that one): mirrors commander's dispatch. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { findInvokedCommand } from '../../src/cli/invoked-command.js';
import { VERSION } from '../../src/version.js';
import { repoRoot } from '../helpers/paths.js';
import { runCliProcess } from '../helpers/run-cli.js';

const COMMANDS = new Set(['run', 'status', 'nagios', 'validate', 'watch']);

/** The command for these CLI arguments. */
function invoked(...args: string[]): string | null {
  return findInvokedCommand(['node', 'ha-valet', ...args], COMMANDS, 'run');
}

test('the first operand names the command; root options and their values are skipped', () => {
  assert.equal(invoked('status', '--no-probe'), 'status');
  assert.equal(invoked('-c', 'x.cfg', 'nagios'), 'nagios');
  assert.equal(invoked('--config', 'status', 'validate'), 'validate'); // 'status' is the file
  assert.equal(invoked('-D', 'A=1', '--define', 'B=2', '--log-level', 'debug', 'watch'), 'watch');
  assert.equal(invoked('--log-format', 'json', '--log-file', '/tmp/l', 'status'), 'status');
  assert.equal(invoked('--config=x.cfg', '--log-level=error', 'status'), 'status');
  assert.equal(invoked('-cx.cfg', '-DA=1', 'status'), 'status');
  assert.equal(invoked('status', '-c', 'x.cfg'), 'status');
});

test('no operand, or an unknown option first, is the default command', () => {
  assert.equal(invoked(), 'run');
  assert.equal(invoked('-c', 'x.cfg'), 'run');
  assert.equal(invoked('--dry-run', '--json'), 'run');
  assert.equal(invoked('-p', 'Svc', 'status'), 'run'); // commander hands it all to `run`
  assert.equal(invoked('--process=Svc'), 'run');
});

test('help, `--` and operands that are no command register every command', () => {
  assert.equal(invoked('--help'), null);
  assert.equal(invoked('-h'), null);
  assert.equal(invoked('status', '--help'), null);
  assert.equal(invoked('help', 'status'), null);
  assert.equal(invoked('statsu'), null);
  assert.equal(invoked('--', 'status'), null);
});

test('ha-valet --help still lists every command', async () => {
  const result = await runCliProcess(['--help']);
  assert.equal(result.code, 0);
  for (const name of ['run', 'watch', 'validate', 'history', 'doctor', 'status', 'nagios', 'cluster']) {
    assert.match(result.stdout, new RegExp(`^  ${name}\\b`, 'm'), `${name} in:\n${result.stdout}`);
  }
});

test('ha-valet --version prints the version in package.json', async () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  for (const flag of ['--version', '-V']) {
    const result = await runCliProcess([flag]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${pkg.version}\n`);
  }
});
