/**
 * The CLI bundle and its code cache (src/cli/load-cli.cts, scripts/build-bundle.ts):
 * built from this checkout's sources into a throwaway tree under test-output/
 * (so its externals resolve from the repo's node_modules), then run as a real
 * process next to the compiled modules, with the same arguments.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildBundle } from '../../scripts/build-bundle.js';
import { writeStatusFixture } from '../../scripts/status-fixture.js';
import {
  cacheTag,
  compileBundle,
  isBundleCurrent,
  loadCli,
  writeCodeCache,
} from '../../src/cli/load-cli.cjs';
import { cliMain, fixture, repoRoot } from '../helpers/paths.js';
import { freePort } from '../helpers/demo-env.js';
import { generateKey } from '../helpers/sshd.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node ENTRY ARGS with HA_VALET_DEBUG_LOAD=1 and ENV. */
function runEntry(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, NO_COLOR: '1', HA_VALET_DEBUG_LOAD: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI bundle with code cache', () => {
  let tree: string;
  let entry: string;
  let bundle: string;
  let cache: string;
  let statusConfig: string;
  const compiledCli = path.dirname(cliMain);

  before(async () => {
    mkdirSync(path.join(repoRoot, 'test-output'), { recursive: true });
    tree = mkdtempSync(path.join(repoRoot, 'test-output', 'bundle-'));
    // <tree>/src/cli/entry.cjs + load-cli.cjs look for <tree>/bundle/, as in dist/.
    mkdirSync(path.join(tree, 'src', 'cli'), { recursive: true });
    for (const name of ['entry.cjs', 'load-cli.cjs']) {
      copyFileSync(path.join(compiledCli, name), path.join(tree, 'src', 'cli', name));
    }
    entry = path.join(tree, 'src', 'cli', 'entry.cjs');
    ({ bundle, cache } = await buildBundle(repoRoot, path.join(tree, 'bundle')));
    statusConfig = await writeStatusFixture(tree, 5);
  });

  after(() => rmSync(tree, { recursive: true, force: true }));

  it('runs from the bundle with its code cache accepted, printing what the modules print', async () => {
    const cases = [
      ['-c', path.join(repoRoot, 'config', 'ha_valet.cfg'), 'validate', '--explain'],
      ['-c', fixture('config', 'valid', 'warnings.cfg'), 'validate'],
      ['-c', fixture('config', 'invalid', 'host-missing.cfg'), 'validate'],
      ['status', '--bogus'],
      ['--help'],
    ];
    for (const args of cases) {
      const viaBundle = await runEntry(entry, args);
      const viaModules = await runEntry(cliMain, args, { HA_VALET_NO_BUNDLE: '1' });
      assert.match(viaBundle.stderr, /loaded bundle .* \(code cache accepted\)/, args.join(' '));
      assert.match(viaModules.stderr, /loaded compiled modules/);
      assert.equal(viaBundle.code, viaModules.code, args.join(' '));
      assert.equal(viaBundle.stdout, viaModules.stdout, args.join(' '));
      const withoutLoadLine = (text: string): string => text.replace(/^ha-valet: loaded .*\n/m, '');
      assert.equal(withoutLoadLine(viaBundle.stderr), withoutLoadLine(viaModules.stderr), args.join(' '));
    }
  });

  it('reads status and nagios from the state dir through the bundle', async () => {
    const status = await runEntry(entry, ['-c', statusConfig, 'status', '--no-probe', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { processes: Array<{ name: string; state: string }> };
    assert.deepEqual(
      report.processes.map((p) => `${p.name}:${p.state}`),
      ['svc001:up', 'svc002:up', 'svc003:up', 'svc004:up', 'svc005:up'],
    );
    const nagios = await runEntry(entry, ['-c', statusConfig, 'nagios']);
    assert.equal(nagios.code, 0, nagios.stdout);
    assert.match(nagios.stdout, /^HA-VALET OK - 5 processes up/);
  });

  it('loads the packages left out of the bundle (logging, SSH) from node_modules', async () => {
    const port = await freePort();
    const config = path.join(tree, 'ssh.cfg');
    const key = path.join(tree, 'id_ed25519');
    generateKey(key);
    writeFileSync(
      config,
      [
        '[DEFAULT]',
        `state_dir = ${path.join(tree, 'ssh-state')}`,
        '',
        '[Svc]',
        'host = 127.0.0.1',
        'transport = ssh',
        `ssh_port = ${port}`,
        `ssh_key = ${key}`,
        'ssh_verify_host_key = no',
        'start = "true"',
        'stop = "true"',
        'test = "exit 1"',
        '',
      ].join('\n'),
    );
    // Nothing listens on PORT: the pass logs (winston) that the host is unreachable (node-ssh).
    const pass = await runEntry(entry, ['-c', config, '--log-level', 'info']);
    assert.match(pass.stderr, /loaded bundle/);
    assert.equal(pass.code, 1, pass.stderr);
    assert.match(pass.stderr, / (INFO|WARN) .*unreachable/i, pass.stderr);
    assert.match(pass.stderr, /connection refused/i, pass.stderr);
  });

  it('compiles afresh when the code cache is rejected, and writes a good one for the next start', async () => {
    // The right tag for this bundle, but data V8 refuses.
    const source = readFileSync(bundle, 'utf8').replace(/^#!/, '//');
    writeFileSync(
      cache,
      Buffer.concat([Buffer.from(`HVC1 ${cacheTag(source)}\n`), Buffer.from('not V8 data')]),
    );
    const first = await runEntry(entry, ['--help']);
    assert.equal(first.code, 0);
    assert.match(first.stderr, /code cache rejected/);
    assert.doesNotMatch(readFileSync(cache).toString('latin1'), /not V8 data/);
    const second = await runEntry(entry, ['--help']);
    assert.match(second.stderr, /code cache accepted/);
    assert.equal(second.stdout, first.stdout);
  });

  it('never runs an old bundle through a code cache made for it, even at the same length', async () => {
    // A cache taken from a bundle whose text differs only in one same-length string.
    const other = path.join(tree, 'bundle', 'other.cjs');
    const original = readFileSync(bundle, 'utf8');
    const usage = 'Keeps each configured service running';
    assert.ok(original.includes(usage));
    writeFileSync(other, original.replace(usage, usage.toUpperCase()));
    const oldCompiled = compileBundle(other);
    assert.ok(writeCodeCache(cache, oldCompiled));
    const run = await runEntry(entry, ['--help']);
    assert.match(run.stderr, /code cache missing/);
    assert.match(run.stdout, new RegExp(usage));
    assert.match((await runEntry(entry, ['--help'])).stderr, /code cache accepted/);
  });

  it('falls back to the compiled modules when the bundle is damaged, stale or turned off', async () => {
    const damaged = path.join(tree, 'damaged.cjs');
    writeFileSync(damaged, 'this is not JavaScript (');
    const buildInfo = path.join(tree, '.tsbuildinfo');
    const paths = { bundle: damaged, cache: `${damaged}.cache`, buildInfo };
    const loaded = await loadCli(paths, {});
    assert.equal(loaded.via, 'modules');
    assert.equal(typeof loaded.runCli, 'function');

    // A tsc build newer than the bundle: the bundle is stale.
    writeFileSync(buildInfo, '{}');
    const now = Date.now() / 1000;
    utimesSync(bundle, now - 60, now - 60);
    assert.equal(isBundleCurrent({ bundle, cache, buildInfo }), false);
    assert.equal((await loadCli({ bundle, cache, buildInfo }, {})).via, 'modules');
    utimesSync(buildInfo, now - 120, now - 120);
    assert.equal(isBundleCurrent({ bundle, cache, buildInfo }), true);
    assert.equal(isBundleCurrent({ bundle: path.join(tree, 'none.cjs'), cache, buildInfo }), false);

    assert.equal((await loadCli({ bundle, cache, buildInfo }, { HA_VALET_NO_BUNDLE: '1' })).via, 'modules');
    assert.equal((await loadCli({ bundle, cache, buildInfo }, {})).via, 'bundle');
  });
});
