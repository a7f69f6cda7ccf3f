import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildStatusReport } from '../../src/report/status-model.js';
import { renderMetrics } from '../../src/report/metrics.js';
import {
  isLoopbackHost,
  parseListenAddress,
  startStatusServer,
  type HealthReport,
} from '../../src/report/http-server.js';
import { UsageError } from '../../src/errors.js';
import { readTokenFile } from '../../src/report/http-token.js';
import type { JournalEntry, ProcessState } from '../../src/state/model.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';
import { parseMetrics } from './metrics-parse.js';

const report = buildStatusReport({
  config: makeConfig([makeProcess('Ostro', ['Host_A', 'Host_B'])]),
  states: new Map<string, ProcessState>([
    ['Ostro', makeState([obs('Host_A', 'up', 1), obs('Host_B', 'down')])],
  ]),
  now: NOW,
});
const events: JournalEntry[] = [
  { at: NOW - 2000, process: 'Ostro', event: 'start', host: 'Host_A', ok: true, reason: 'was down' },
  { at: NOW - 1000, process: 'Ostro', event: 'verify', host: 'Host_A', ok: true },
];

test('http: /status, /healthz, /metrics, /events, /, 404 and 405 on loopback', async () => {
  let health: HealthReport = { ok: true, pid: process.pid };
  const asked: number[] = [];
  const server = await startStatusServer({
    port: 0,
    getStatus: () => report,
    getMetrics: () => renderMetrics(report),
    getEvents: (limit) => {
      asked.push(limit);
      return events.slice(-limit);
    },
    health: () => health,
  });
  try {
    assert.equal(server.host, '127.0.0.1');
    const status = await fetch(new URL('status', server.url));
    assert.equal(status.status, 200);
    assert.match(status.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await status.json(), report);

    assert.equal((await fetch(new URL('healthz', server.url))).status, 200);
    health = { ok: false, reason: 'heartbeat stale' };
    const sick = await fetch(new URL('healthz', server.url));
    assert.equal(sick.status, 503);
    assert.deepEqual(await sick.json(), { ok: false, reason: 'heartbeat stale' });

    const metrics = await fetch(new URL('metrics', server.url));
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(
      parseMetrics(await metrics.text()).get('ha_valet_host_up{process="Ostro",host="Host_A"}'),
      1,
    );

    const tail = await fetch(new URL('events?limit=1', server.url));
    assert.deepEqual(await tail.json(), { events: events.slice(-1) });
    await fetch(new URL('events?limit=-3', server.url));
    assert.deepEqual(asked, [1, 50]);

    const page = await fetch(server.url);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'sha256-/);
    assert.match(await page.text(), /<title>ha-valet status<\/title>/);

    const missing = await fetch(new URL('nope', server.url));
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no such page \/nope/);
    assert.equal((await fetch(new URL('status', server.url), { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});

test('http: a failing getter answers 500 with the message, and the server keeps serving', async () => {
  const server = await startStatusServer({
    port: 0,
    getStatus: () => {
      throw new Error('state dir /var/lib/ha-valet unreadable');
    },
    getMetrics: () => '',
    health: () => ({ ok: true }),
  });
  try {
    const res = await fetch(new URL('status', server.url));
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'state dir /var/lib/ha-valet unreadable' });
    assert.equal((await fetch(new URL('healthz', server.url))).status, 200);
  } finally {
    await server.close();
  }
});

test('http: a non-loopback bind is refused unless explicitly allowed', async () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.10', 'example.org']) {
    await assert.rejects(
      startStatusServer({
        host,
        port: 0,
        getStatus: () => report,
        getMetrics: () => '',
        health: () => ({ ok: true }),
      }),
      (error: unknown) =>
        error instanceof UsageError &&
        /refusing to serve status on .*not a loopback address/.test(error.message),
    );
  }
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('127.1.2.3'), true);
  assert.equal(isLoopbackHost('::1'), true);
  assert.equal(isLoopbackHost('localhost'), true);
  assert.equal(isLoopbackHost('10.0.0.1'), false);
});

test('http: listen addresses parse as PORT, HOST:PORT or [V6]:PORT', () => {
  assert.deepEqual(parseListenAddress('9750'), { host: '127.0.0.1', port: 9750 });
  assert.deepEqual(parseListenAddress('127.0.0.2:80'), { host: '127.0.0.2', port: 80 });
  assert.deepEqual(parseListenAddress('[::1]:9750'), { host: '::1', port: 9750 });
  assert.throws(() => parseListenAddress('host:99999'), /expected PORT or HOST:PORT/);
  assert.throws(() => parseListenAddress('abc'), /expected PORT or HOST:PORT/);
});

test('http: with a token every data endpoint needs `Authorization: Bearer TOKEN`; the empty page does not', async () => {
  const server = await startStatusServer({
    port: 0,
    token: 'abc123',
    getStatus: () => report,
    getMetrics: () => renderMetrics(report),
    getEvents: () => events,
    health: () => ({ ok: true }),
  });
  try {
    for (const page of ['status', 'metrics', 'events', 'healthz', 'nope']) {
      const denied = await fetch(new URL(page, server.url));
      assert.equal(denied.status, 401, page);
      assert.equal(denied.headers.get('www-authenticate'), 'Bearer realm="ha-valet"');
    }
    for (const header of ['Bearer abc12', 'Bearer abc1234', 'Basic abc123', 'abc123', 'Bearer']) {
      const wrong = await fetch(new URL('status', server.url), { headers: { Authorization: header } });
      assert.equal(wrong.status, 401, header);
    }
    const ok = await fetch(new URL('status', server.url), { headers: { Authorization: 'bearer  abc123' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), report);
    assert.equal((await fetch(server.url)).status, 200);
  } finally {
    await server.close();
  }
});

test('http: the token file holds one token; empty or spaced text is a usage error', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-token-'));
  try {
    const file = path.join(dir, 'token');
    writeFileSync(file, '  s3cret-token\n');
    assert.equal(readTokenFile(file), 's3cret-token');
    writeFileSync(file, '\n');
    assert.throws(() => readTokenFile(file), /must hold one token without spaces .* got an empty file/);
    writeFileSync(file, 'two words\n');
    assert.throws(() => readTokenFile(file), UsageError);
    assert.throws(() => readTokenFile(path.join(dir, 'absent')), /--http-token-file: cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
