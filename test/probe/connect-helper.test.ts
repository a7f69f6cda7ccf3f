/**
 * Plain tcp:// checks through the connect helper (a Python process) and, for the
 * same cases, from Node: the same outcomes either way, a helper that cannot be
 * started or that dies falls back to Node, and a timeout answers at about the timeout.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { closedPort } from '../helpers/ports.js';
import { ConnectHelper, connectHelper } from '../../src/probe/native/connect-helper.js';
import { runTcpTest } from '../../src/probe/native/tcp-check.js';
import { classifyResult } from '../../src/probe/classify.js';
import { ensurePython3 } from '../helpers/debian-package.js';

ensurePython3();

const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((c) => c()));

async function listening(): Promise<number> {
  const server = net.createServer((s) => s.end());
  cleanups.push(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A listener that never accepts, its one-slot queue filled: a connect to it gets no answer. */
async function silentPort(): Promise<number> {
  const child = spawn(
    'python3',
    [
      '-c',
      "import socket,sys,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0)\nprint(s.getsockname()[1], flush=True)\nfill=[socket.socket() for i in range(3)]\nfor c in fill: c.setblocking(False); c.connect_ex(('127.0.0.1', s.getsockname()[1]))\nsys.stdin.read()",
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  cleanups.push(() => child.kill());
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  return port;
}

const check = async (host: string, port: number, rank = 2, timeoutMs = 3000) =>
  classifyResult('h', await runTcpTest({ kind: 'tcp', host, port }, rank, timeoutMs), Date.now());

for (const mode of ['helper', 'node'] as const) {
  test(`tcp (${mode}): accepted → up with the rank, refused → down, silent → unreachable at the timeout`, async (t) => {
    process.env.HA_VALET_NATIVE_TCP = mode === 'node' ? 'node' : '';
    t.after(() => delete process.env.HA_VALET_NATIVE_TCP);
    assert.equal(connectHelper().usable, mode === 'helper');
    const up = await check('127.0.0.1', await listening(), 2);
    assert.equal(up.kind, 'up');
    assert.equal(up.priority, 2);
    const byName = await check('localhost', await listening(), 3);
    assert.equal(byName.kind, 'up');
    assert.equal(byName.priority, 3);
    const down = await check('127.0.0.1', await closedPort());
    assert.equal(down.kind, 'down');
    assert.match(down.reason ?? '', /refused the connection/);
    const started = Date.now();
    const silent = await check('127.0.0.1', await silentPort(), 1, 700);
    assert.equal(silent.kind, 'unreachable');
    assert.match(silent.reason ?? '', /timed out after 700 ms/);
    assert.ok(Date.now() - started < 5000, 'the timeout ends the check');
  });
}

test('connect helper: runs as its own process and answers many checks at once', async () => {
  const helper = connectHelper();
  const port = await listening();
  const refused = await closedPort();
  const answers = await Promise.all(
    Array.from({ length: 300 }, (_, i) => helper.connect('127.0.0.1', i % 2 ? port : refused, 3000)),
  );
  assert.ok(helper.pid !== undefined, 'a helper process runs');
  assert.deepEqual(
    answers.map((a) => a?.result),
    Array.from({ length: 300 }, (_, i) => (i % 2 ? 'OK' : 'ECONNREFUSED')),
  );
});

test('connect helper: without Python, or when it dies, the check is made from Node', async () => {
  const missing = new ConnectHelper('/nonexistent/python3');
  const first = missing.connect('127.0.0.1', await listening(), 1000);
  assert.equal(
    (await first)?.result ?? null,
    null,
    'a helper that cannot start answers null (caller uses Node)',
  );
  assert.equal(missing.connect('127.0.0.1', 1, 1000), null, 'and is not tried again');
  const broken = new ConnectHelper('/bin/false');
  assert.equal((await broken.connect('127.0.0.1', await listening(), 1000))?.result ?? null, null);
  assert.equal(
    broken.connect('127.0.0.1', 1, 1000),
    null,
    'a helper that ended before answering is not started again',
  );
  const helper = new ConnectHelper('/usr/bin/python3');
  const port = await listening();
  assert.equal((await helper.connect('127.0.0.1', port, 1000))?.result, 'OK');
  process.kill(helper.pid!, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(
    (await helper.connect('127.0.0.1', port, 1000))?.result,
    'OK',
    'a new helper starts after one died',
  );
  helper.close();
});
