/** loadConfig and resolveConfigPath: files on disk, ConfigError carrying every diagnostic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { loadConfig, parseConfigText, resolveConfigPath } from '../../src/config/load-config.js';
import { fixture } from '../helpers/paths.js';

test('an invalid file throws one ConfigError listing every problem, FILE:LINE first', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-load-'));
  try {
    const file = path.join(dir, 'bad.cfg');
    writeFileSync(
      file,
      '[Ostro]\nhost = Host_A\npriority = 0\nport = x\nstart = a\nstop = b\ntest = c\nfoo = 1\n',
    );
    await assert.rejects(loadConfig(file, { env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(
        error.message,
        [
          `${file}:3: section [Ostro] key 'priority': expected an integer >= 1, got '0'`,
          `${file}:4: section [Ostro] key 'port': expected a port number 1-65535, got 'x'`,
          `${file}:8: warning: section [Ostro] key 'foo': unknown key, ignored`,
        ].join('\n'),
      );
      assert.deepEqual(
        error.diagnostics.map((d) => d.severity),
        ['error', 'error', 'warning'],
      );
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is a one-line ConfigError', async () => {
  await assert.rejects(loadConfig('/nonexistent/x.cfg'), {
    name: 'ConfigError',
    message:
      'cannot read config file /nonexistent/x.cfg: no such file (give one with -c FILE or $HA_VALET_CONFIG)',
  });
  await assert.rejects(loadConfig(os.tmpdir()), { message: /is a directory, expected a file$/ });
});

test('a valid file loads, with warnings kept on the Config', async () => {
  const config = await loadConfig(fixture('config', 'valid', 'warnings.cfg'), { env: {} });
  assert.deepEqual(
    config.warnings.map((w) => w.key),
    ['standy_by_list', 'colour'],
  );
});

test('resolveConfigPath: -c, then $HA_VALET_CONFIG, then ./ha_valet.cfg, then /etc', () => {
  assert.equal(resolveConfigPath('a.cfg', { HA_VALET_CONFIG: 'b.cfg' }), 'a.cfg');
  assert.equal(resolveConfigPath(undefined, { HA_VALET_CONFIG: 'b.cfg' }), 'b.cfg');
  const fallback = resolveConfigPath(undefined, {});
  assert.ok(fallback === 'ha_valet.cfg' || fallback === '/etc/ha-valet/ha_valet.cfg');
});

test('a bad [DEFAULT] value is reported once, not once per section', () => {
  const section = (name: string): string =>
    `[${name}]\nhost = h\nstart = a\nstop = b\ntest = "x %s" % (bogus)\n`;
  const { diagnostics } = parseConfigText(
    `[DEFAULT]\ncheck_count = 0\n${section('A')}${section('B')}`,
    'd.cfg',
    {
      env: {},
    },
  );
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.section}:${d.key}`),
    ['2:DEFAULT:check_count', '7:A:test', '12:B:test'],
  );
});
