/**
 * Native checks against real servers on loopback: how each answer becomes
 * up(priority) / down / unreachable, through probeCandidate and classify.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { closedPort } from '../helpers/ports.js';
import os from 'node:os';
import path from 'node:path';
import type { NativeTest } from '../../src/config/model.js';
import { createExecutorPool } from '../../src/exec/create-pool.js';
import { outcomeOfError } from '../../src/probe/native/reply.js';
import { probeCandidate } from '../../src/probe/probe.js';
import { makeProcess } from '../helpers/process-config.js';

const servers: Array<net.Server> = [];
after(() => servers.forEach((s) => s.close()));

/** Listens on a free loopback port and returns it. */
async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Probes one candidate of rank `rank` whose test is `nativeTest`. */
async function check(nativeTest: NativeTest, rank = 2, testTimeoutMs = 5000) {
  const process = makeProcess('Svc', ['h1', 'h2'], { testTimeoutMs });
  const candidate = {
    ...process.candidates[rank - 1]!,
    commands: { start: 's', stop: 't', test: 'url' },
    nativeTest,
  };
  const pool = await createExecutorPool([process]);
  return probeCandidate(process, candidate, pool);
}

/** A line server: answers each line with `reply(line)`; null closes the connection. */
function lineServer(reply: (line: string) => string | null): net.Server {
  return net.createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      const answer = reply(data.trim());
      if (answer === null) socket.end();
      else socket.write(answer);
    });
    socket.on('error', () => undefined);
  });
}

test('tcp: accepted → up with the candidate rank; refused → down', async () => {
  const port = await listen(net.createServer((s) => s.end()));
  const up = await check({ kind: 'tcp', host: '127.0.0.1', port }, 2);
  assert.equal(up.kind, 'up');
  assert.equal(up.priority, 2);
  const down = await check({ kind: 'tcp', host: '127.0.0.1', port: await closedPort() });
  assert.equal(down.kind, 'down');
  assert.match(down.reason ?? '', /refused the connection/);
});

test('tcp: send a line, match the reply, read a priority from it', async () => {
  const port = await listen(
    lineServer((line) => (line === 'PING' ? '+PONG\r\n' : line === 'PRIO' ? 'prio 3\n' : null)),
  );
  const matched = await check({ kind: 'tcp', host: '127.0.0.1', port, send: 'PING\r\n', expect: '^\\+PONG' });
  assert.equal(matched.kind, 'up');
  assert.equal(matched.priority, 2);
  const priority = await check({
    kind: 'tcp',
    host: '127.0.0.1',
    port,
    send: 'PRIO\n',
    expect: 'prio (?<priority>\\d+)',
  });
  assert.equal(priority.priority, 3);
  const closed = await check({ kind: 'tcp', host: '127.0.0.1', port, send: 'OTHER\n', expect: 'PONG' });
  assert.equal(closed.kind, 'down');
  assert.match(closed.reason ?? '', /closed the connection before the reply matched/);
});

test('tcp: a reply read as priority 0 is down, out of range is unreachable', async () => {
  const port = await listen(lineServer((line) => `${line}\n`));
  assert.equal(
    (await check({ kind: 'tcp', host: '127.0.0.1', port, send: '0', expect: '^(?<priority>\\d+)' })).kind,
    'down',
  );
  const odd = await check({
    kind: 'tcp',
    host: '127.0.0.1',
    port,
    send: '200',
    expect: '^(?<priority>\\d+)',
  });
  assert.equal(odd.kind, 'unreachable');
  assert.match(odd.reason ?? '', /priority '200'/);
});

test('tcp: no reply within test_timeout → unreachable, after about the timeout', async () => {
  const port = await listen(net.createServer(() => undefined));
  const started = Date.now();
  const silent = await check({ kind: 'tcp', host: '127.0.0.1', port, send: 'PING', expect: 'PONG' }, 1, 300);
  assert.equal(silent.kind, 'unreachable');
  assert.match(silent.reason ?? '', /timed out after 300 ms/);
  assert.ok(Date.now() - started < 4000, 'the timeout ends the check');
});

test('no route or unknown name → unreachable; refused or reset → down', () => {
  const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
  assert.equal(outcomeOfError(error('EHOSTUNREACH'), 'h:1').kind, 'unreachable');
  assert.equal(outcomeOfError(error('ENETUNREACH'), 'h:1').kind, 'unreachable');
  assert.equal(outcomeOfError(error('ENOTFOUND'), 'h:1').kind, 'unreachable');
  assert.deepEqual(outcomeOfError(error('ECONNRESET'), 'h:1'), {
    kind: 'answered',
    exitCode: 0,
    note: 'h:1 reset the connection',
  });
});

/** An HTTP server answering /ok 200 "prio 4", /bad 503 and /slow never. */
function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === '/ok') res.end('state: prio 4\n');
  else if (req.url === '/bad') {
    res.statusCode = 503;
    res.end('overloaded');
  } else if (req.url !== '/slow') {
    res.statusCode = 404;
    res.end();
  }
}

const OK: Array<[number, number]> = [[200, 299]];

test('http: 2xx → up, other status → down, expect_status and body regex', async () => {
  const port = await listen(http.createServer(app));
  const base = `http://127.0.0.1:${port}`;
  const http1 = (url: string, extra: Partial<NativeTest> = {}) =>
    check({ kind: 'http', url: base + url, expectStatus: OK, tlsVerify: true, ...extra } as NativeTest);
  assert.equal((await http1('/ok')).priority, 2);
  const bad = await http1('/bad');
  assert.equal(bad.kind, 'down');
  assert.match(bad.reason ?? '', /HTTP 503/);
  assert.equal((await http1('/bad', { expectStatus: [[503, 503]] })).kind, 'up');
  assert.equal((await http1('/ok', { expect: 'prio (?<priority>\\d)' })).priority, 4);
  const mismatch = await http1('/ok', { expect: 'ready' });
  assert.equal(mismatch.kind, 'down');
  assert.match(mismatch.reason ?? '', /body did not match/);
  assert.equal(
    (
      await check({
        kind: 'http',
        url: `http://127.0.0.1:${await closedPort()}/`,
        expectStatus: OK,
        tlsVerify: true,
      })
    ).kind,
    'down',
  );
  const slow = await check({ kind: 'http', url: `${base}/slow`, expectStatus: OK, tlsVerify: true }, 1, 300);
  assert.equal(slow.kind, 'unreachable');
});

test('https: verified by default (self-signed → unreachable), tls_ca trusts it, tls_verify = no skips', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = https.createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
      app,
    );
    const url = `https://127.0.0.1:${await listen(server)}/ok`;
    const strict = await check({ kind: 'http', url, expectStatus: OK, tlsVerify: true });
    assert.equal(strict.kind, 'unreachable');
    assert.match(strict.reason ?? '', /TLS: /);
    const trusted = await check({
      kind: 'http',
      url,
      expectStatus: OK,
      tlsVerify: true,
      tlsCaFile: path.join(dir, 'cert.pem'),
    });
    assert.equal(trusted.kind, 'up');
    assert.equal((await check({ kind: 'http', url, expectStatus: OK, tlsVerify: false })).kind, 'up');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
