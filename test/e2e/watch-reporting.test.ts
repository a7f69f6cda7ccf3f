/**
 * Status, Nagios, metrics and the status page against a real `ha-valet watch`
 * with real demo services, through a failover and into a failed state.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { cliMain, repoRoot } from '../helpers/paths.js';
import { createDemoEnv, freePort, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { launchChromium } from '../report/chromium.js';

let env: DemoEnv;
let watcher: ChildProcess;
let base: string;
let metricsFile: string;
let browser: Browser;
let watcherLog = '';

/** Polls `check` until it returns true or `ms` pass. */
async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}; watcher log:\n${watcherLog.slice(-3000)}`);
}

/** The watcher's /status JSON. */
async function status(): Promise<{ processes: Array<{ state: string; activeHost: string | null }> }> {
  const response = await fetch(`${base}/status`);
  return (await response.json()) as { processes: Array<{ state: string; activeHost: string | null }> };
}

before(async () => {
  env = await createDemoEnv({ extra: ['start_timeout = 5s', 'backoff_initial = 30s'] });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  metricsFile = path.join(env.dir, 'ha_valet.prom');
  watcher = spawn(
    process.execPath,
    [
      cliMain,
      '-c',
      env.configPath,
      'watch',
      '--interval',
      '0.5',
      '--http',
      `127.0.0.1:${port}`,
      '--metrics-file',
      metricsFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  watcher.stdout!.on('data', (chunk: Buffer) => (watcherLog += chunk.toString()));
  watcher.stderr!.on('data', (chunk: Buffer) => (watcherLog += chunk.toString()));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (watcher && watcher.exitCode === null) {
    const exited = new Promise((resolve) => watcher.once('exit', resolve));
    watcher.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => watcher.kill('SIGKILL'))]);
  }
  await env?.cleanup();
});

test('a running watcher: status, nagios OK, metrics and the page show the service on the preferred host', async () => {
  await waitFor(
    'the service up on 127.0.0.2',
    async () => (await status()).processes[0]?.activeHost === '127.0.0.2',
  );

  const table = await runCliProcess(['-c', env.configPath, 'status', '--no-probe']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^Svc\s+up\s+\*127\.0\.0\.2\s+1\s+up\s+1\s/m);
  assert.match(table.stdout, /^\s+127\.0\.0\.3\s+2\s+down\s/m);
  assert.match(table.stdout, /watcher alive/);

  const json = JSON.parse(
    (await runCliProcess(['-c', env.configPath, 'status', '--no-probe', '--json'])).stdout,
  );
  assert.equal(json.processes[0].state, 'up');
  assert.equal(json.processes[0].activeHost, '127.0.0.2');
  assert.equal(json.watcher.alive, true);
  assert.equal(json.watcher.configMatches, true);

  const nagios = await runCliProcess(['-c', env.configPath, 'nagios']);
  assert.equal(nagios.code, 0, nagios.stdout);
  assert.match(nagios.stdout, /^HA-VALET OK - /);

  await waitFor('the metrics file', async () =>
    /ha_valet_host_active\{[^}]*host="127\.0\.0\.2"[^}]*\} 1/.test(await readFile(metricsFile, 'utf8')),
  );
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /ha_valet_process_up\{process="Svc"\} 1/);

  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.locator('[data-process="Svc"][data-active-host="127.0.0.2"]').waitFor({ timeout: 30_000 });
  await page.close();
});

test('a failover shows up on the open page without reload; nagios warns, metrics count it', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.locator('[data-process="Svc"][data-active-host="127.0.0.2"]').waitFor({ timeout: 30_000 });

  writeFileSync(path.join(env.dir, 'broken-127.0.0.2'), '');
  process.kill((await env.pidOf('127.0.0.2'))!, 'SIGKILL');

  await page.locator('[data-process="Svc"][data-active-host="127.0.0.3"]').waitFor({ timeout: 30_000 });
  const outDir = path.join(repoRoot, 'test-output');
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, 'status-page-failover.png'), fullPage: true });
  await page.close();

  const nagios = await runCliProcess(['-c', env.configPath, 'nagios']);
  assert.equal(nagios.code, 1, nagios.stdout);
  assert.match(nagios.stdout, /^HA-VALET WARNING - .*127\.0\.0\.3/);

  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /ha_valet_host_active\{[^}]*host="127\.0\.0\.3"[^}]*\} 1/);
  assert.match(metrics, /ha_valet_failovers_total\{process="Svc"\} 1/);

  const history = JSON.parse((await runCliProcess(['-c', env.configPath, 'history', '--json'])).stdout);
  const starts = history.filter((e: { event: string; ok: boolean }) => e.event === 'start');
  assert.ok(
    starts.some((e: { host: string; ok: boolean }) => e.host === '127.0.0.2' && !e.ok),
    'the failed start on .2 is journaled',
  );
  assert.ok(
    starts.some((e: { host: string; ok: boolean }) => e.host === '127.0.0.3' && e.ok),
    'the start on .3 is journaled',
  );
});

test('no host can start it: status failed, nagios CRITICAL; a broken config is UNKNOWN', async () => {
  writeFileSync(path.join(env.dir, 'broken-127.0.0.3'), '');
  process.kill((await env.pidOf('127.0.0.3'))!, 'SIGKILL');
  await waitFor('the failed state', async () => (await status()).processes[0]?.state === 'failed');

  const nagios = await runCliProcess(['-c', env.configPath, 'nagios']);
  assert.equal(nagios.code, 2, nagios.stdout);
  assert.match(nagios.stdout, /^HA-VALET CRITICAL - /);
  const json = JSON.parse(
    (await runCliProcess(['-c', env.configPath, 'status', '--no-probe', '--json'])).stdout,
  );
  assert.equal(json.processes[0].state, 'failed');

  const broken = path.join(env.dir, 'broken.cfg');
  writeFileSync(broken, '[Svc]\nhost = a;b\n');
  const unknown = await runCliProcess(['-c', broken, 'nagios']);
  assert.equal(unknown.code, 3, unknown.stdout);
  assert.match(unknown.stdout, /^HA-VALET UNKNOWN - /);
});
