/** Hook rendering: both placeholder styles, and values that can never inject into the shell. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderHookCommand, unknownHookPlaceholders } from '../../src/config/render-hook.js';

const VARS = { process: 'Ostro', from_host: 'Host_A', to_host: 'Host_B', reason: 'start failed' };

/** Runs a rendered command with sh and returns its stdout. */
function runSh(command: string): string {
  return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
}

test('{name} placeholders and %MASTER% / %SLAVE% are substituted as quoted words', () => {
  assert.equal(
    renderHookCommand('notify {process} {from_host} {to_host} {reason}', VARS),
    "notify 'Ostro' 'Host_A' 'Host_B' 'start failed'",
  );
  assert.equal(
    renderHookCommand('plumb %MASTER%; unplumb %SLAVE%', VARS),
    "plumb 'Host_B'; unplumb 'Host_A'",
  );
  assert.equal(renderHookCommand('x {to_host}', { ...VARS, to_host: null }), "x ''");
  assert.equal(renderHookCommand('echo ${HOME} {{reason}} {other}', VARS), 'echo ${HOME} {reason} {other}');
});

test('a hostile reason stays one argument, unquoted, single-quoted or double-quoted in the template', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-hook-'));
  const marker = path.join(dir, 'pwned');
  const reason = `it's "bad" $(touch ${marker}) \`touch ${marker}\`; touch ${marker} \\ '`;
  try {
    for (const template of [
      'printf %s {reason}',
      "printf %s '{reason}'",
      'printf %s "{reason}"',
      `printf %s "why: {reason}!"`,
      `printf %s 'why: {reason}!'`,
    ]) {
      const out = runSh(renderHookCommand(template, { ...VARS, reason }));
      const expected = template.includes('why') ? `why: ${reason}!` : reason;
      assert.equal(out, expected, template);
    }
    assert.equal(existsSync(marker), false, 'no substituted value ran as a command');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown placeholders are found for load-time errors', () => {
  assert.deepEqual(unknownHookPlaceholders('x {process} {who} ${HOME} {{to}} %MASTER% {when}'), [
    '{who}',
    '{when}',
  ]);
});
