import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { buildStatusReport } from '../../src/report/status-model.js';
import type { StatusReport } from '../../src/report/status-schema.js';
import type { JournalEntry, ProcessState } from '../../src/state/model.js';
import { repoRoot } from '../helpers/paths.js';
import { launchChromium } from './chromium.js';
import { serveReport } from './serve-report.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

const config = makeConfig([
  makeProcess('Ostro', ['Host_A', 'Host_B']),
  makeProcess('Redis', ['Host_B', 'Host_A', 'Host_C']),
]);
const redis = makeState([
  obs('Host_B', 'up', 1),
  obs('Host_A', 'down'),
  obs('Host_C', 'unreachable', undefined, 3000, 'connection refused'),
]);

/** The report before (Ostro on Host_A) and after the failover (Ostro on Host_B). */
function reportFor(ostroOn: 'Host_A' | 'Host_B', now: number): StatusReport {
  const ostro =
    ostroOn === 'Host_A'
      ? makeState([obs('Host_A', 'up', 1), obs('Host_B', 'down')])
      : makeState([obs('Host_A', 'down'), obs('Host_B', 'up', 1)], {
          lastAction: { type: 'start', host: 'Host_B', ok: true, reason: 'Host_A down', at: NOW - 1000 },
          counters: { starts: 1, failovers: 1, failedStarts: 0, stops: 0 },
        });
  const states = new Map<string, ProcessState>([
    ['Ostro', ostro],
    ['Redis', redis],
  ]);
  return buildStatusReport({
    config,
    states,
    now,
    watcher: { alive: true, heartbeatAt: now - 1000, pid: 4242, configMatches: true },
  });
}

test(
  'status page: renders the processes and shows a failover without reload',
  { timeout: 600_000 },
  async () => {
    let current = reportFor('Host_A', NOW);
    const events: JournalEntry[] = [
      { at: NOW - 60_000, process: 'Ostro', event: 'start', host: 'Host_A', ok: true, reason: 'was down' },
    ];
    const server = await serveReport(() => current, { events });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(server.url);
      await page.locator('[data-process="Ostro"][data-active-host="Host_A"]').waitFor({ timeout: 30_000 });
      await page.locator('[data-process="Redis"][data-state="up"]').waitFor({ timeout: 30_000 });
      assert.equal(
        await page.locator('[data-process="Redis"] tr[data-host="Host_C"] td.k-unreachable').textContent(),
        'unreachable',
      );
      await page.evaluate('window.__sameDocument = true');

      events.push(
        {
          at: NOW - 2000,
          process: 'Ostro',
          event: 'transition',
          host: 'Host_A',
          ok: false,
          reason: 'Host_A down',
        },
        {
          at: NOW - 1000,
          process: 'Ostro',
          event: 'start',
          host: 'Host_B',
          ok: true,
          reason: 'failover from Host_A',
        },
      );
      current = reportFor('Host_B', NOW);

      const moved = page.locator('[data-process="Ostro"][data-active-host="Host_B"]');
      await moved.waitFor({ timeout: 30_000 });
      assert.equal(await moved.getAttribute('data-state'), 'up');
      assert.equal(await moved.locator('tr[data-host="Host_B"]').getAttribute('data-active'), 'true');
      assert.match(
        (await moved.locator('.summary').textContent()) ?? '',
        /up on Host_B \(priority 1\), not on preferred Host_A/,
      );
      await page.locator('#events tr[data-event="transition"]').waitFor({ timeout: 30_000 });
      assert.equal(await page.evaluate('window.__sameDocument === true'), true, 'the page was not reloaded');
      assert.deepEqual(errors, []);

      const outDir = path.join(repoRoot, 'test-output');
      await mkdir(outDir, { recursive: true });
      await page.screenshot({ path: path.join(outDir, 'status-page.png'), fullPage: true });
    } finally {
      await browser.close();
      await server.close();
    }
  },
);

test(
  'status page with a token: renders when opened as /#token=…, says why when the token is missing',
  { timeout: 600_000 },
  async () => {
    const report = reportFor('Host_A', NOW);
    const server = await serveReport(() => report, { token: 'page-token-7' });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}#token=page-token-7`);
      await page.locator('[data-process="Ostro"][data-active-host="Host_A"]').waitFor({ timeout: 30_000 });
      const bare = await browser.newPage();
      await bare.goto(server.url);
      await bare.locator('#conn.down').waitFor({ timeout: 30_000 });
      assert.match((await bare.locator('#conn').textContent()) ?? '', /HTTP 401/);
      assert.equal(await bare.locator('[data-process="Ostro"]').count(), 0);
    } finally {
      await browser.close();
      await server.close();
    }
  },
);
