/**
 * What the project ships passes its own trust check: the example configs as
 * checked out, and as installed the way their comments say (`install -m 644`
 * under /etc/ha-valet) with the state directory the systemd units create
 * (StateDirectory= with StateDirectoryMode=).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { formatDiagnostics } from '../../src/config/diagnostics.js';
import { trustDiagnostics } from '../../src/trust/check-trust.js';
import { repoRoot } from '../helpers/paths.js';

const EXAMPLES = ['ha_valet.cfg', 'ha_valet.ini.cfg', 'demo.cfg'];

test('the example configs pass the trust check where they are checked out', async () => {
  for (const name of EXAMPLES) {
    const file = path.join('config', name);
    const config = await loadConfig(file);
    assert.equal(formatDiagnostics(trustDiagnostics(file, config)), '', file);
  }
});

test('installed as the units and comments say, the example configs and the units’ state directory pass', async () => {
  const unitDir = path.join(repoRoot, 'config', 'systemd');
  const modes = readdirSync(unitDir)
    .filter((name) => name.endsWith('.service'))
    .map((name) => /^StateDirectoryMode=(\d+)$/m.exec(readFileSync(path.join(unitDir, name), 'utf8'))?.[1]);
  assert.ok(
    modes.length >= 3 && modes.every((mode) => mode !== undefined),
    `StateDirectoryMode in every unit: ${modes.join(', ')}`,
  );
  const root = mkdtempSync(path.join(os.tmpdir(), 'hv-trust-install-'));
  try {
    execFileSync('chmod', ['755', root]);
    for (const mode of new Set(modes)) {
      const etc = path.join(root, 'etc', 'ha-valet');
      const state = path.join(root, `var-lib-${mode}`, 'ha-valet');
      execFileSync('install', ['-d', '-m', '755', etc]);
      execFileSync('install', ['-d', '-m', '755', path.dirname(state)]);
      execFileSync('install', ['-d', '-m', mode!, state]);
      for (const name of EXAMPLES) {
        const installed = path.join(etc, name);
        execFileSync('install', ['-m', '644', path.join(repoRoot, 'config', name), installed]);
        const loaded = await loadConfig(installed);
        const config = { ...loaded, global: { ...loaded.global, stateDir: state } };
        assert.equal(
          formatDiagnostics(trustDiagnostics(installed, config)),
          '',
          `${name} with StateDirectoryMode=${mode}`,
        );
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
