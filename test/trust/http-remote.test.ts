/**
 * The status endpoint on a non-loopback address: refused without a token (and
 * without --http-allow-remote); with --http-token-file it binds, and a client
 * on that network gets 401 without the token and 200 with it. The address
 * lives on a veth pair inside a network namespace this test creates.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cliMain } from '../helpers/paths.js';
import { createWorld, runAs, writeFile, type World } from './helpers/world.js';
import path from 'node:path';

const NS = `hvtr${process.pid}`;
const ADDRESS = '10.201.7.1';
const PORT = 9281;
let world: World | null = null;

/** Deletes the namespace (and with it the veth pair); safe to call twice. */
function deleteNamespace(): void {
  spawnSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
}
process.once('exit', deleteNamespace);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    deleteNamespace();
    process.exit(1);
  });
}

after(() => {
  deleteNamespace();
  world?.cleanup();
});

/** GET `url` from inside the namespace; resolves with the status code. */
function fetchInNamespace(url: string, token?: string): number {
  const script = `fetch(${JSON.stringify(url)}, { headers: ${JSON.stringify(token ? { Authorization: `Bearer ${token}` } : {})} }).then((r) => console.log(r.status), (e) => console.log('error ' + e.message))`;
  const out = execFileSync('ip', ['netns', 'exec', NS, process.execPath, '-e', script], { encoding: 'utf8' });
  return Number(out.trim());
}

test('non-loopback --http: refused without a token; with --http-token-file, 401 without it and 200 with it', async () => {
  world = createWorld();
  const refused = await runAs(['-c', world.config, 'watch', '--http', `${ADDRESS}:${PORT}`], {
    env: { HA_VALET_TRUST_CHECK: '' },
  });
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /refusing to serve status on 10\.201\.7\.1: not a loopback address and no token/,
  );

  execFileSync('ip', ['netns', 'add', NS]);
  const inNs = (...args: string[]): void => void execFileSync('ip', ['-n', NS, ...args]);
  inNs('link', 'set', 'lo', 'up');
  inNs('link', 'add', `${NS}a`, 'type', 'veth', 'peer', 'name', `${NS}b`);
  inNs('addr', 'add', `${ADDRESS}/24`, 'dev', `${NS}a`);
  inNs('link', 'set', `${NS}a`, 'up');
  inNs('link', 'set', `${NS}b`, 'up');

  const tokenFile = path.join(world.dir, 'http.token');
  writeFile(tokenFile, 'remote-secret-42\n', 0o600);
  const watcher = spawn(
    'ip',
    [
      'netns',
      'exec',
      NS,
      process.execPath,
      cliMain,
      '-c',
      world.config,
      'watch',
      '--interval',
      '1',
      '--http',
      `${ADDRESS}:${PORT}`,
      '--http-token-file',
      tokenFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HA_VALET_TRUST_CHECK: '' } },
  );
  let log = '';
  watcher.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  watcher.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise((resolve) => watcher.once('exit', resolve));
  try {
    const url = `http://${ADDRESS}:${PORT}/status`;
    const deadline = Date.now() + 30_000;
    let status = NaN;
    while (Date.now() < deadline && !(status > 0)) {
      status = fetchInNamespace(url);
      if (!(status > 0)) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 401, log);
    assert.equal(fetchInNamespace(url, 'wrong'), 401);
    assert.equal(fetchInNamespace(url, 'remote-secret-42'), 200);
    assert.doesNotMatch(log, /without a token/);
  } finally {
    watcher.kill('SIGTERM'); // `ip netns exec` execs node: this is the watcher's own PID
    const timer = setTimeout(() => watcher.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    deleteNamespace();
  }
});
