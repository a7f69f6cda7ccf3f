/** The status page shows a group's members per host (issue 13), in a real browser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatusReport } from '../../src/report/status-model.js';
import { combineMemberObservations } from '../../src/probe/group-observation.js';
import type { ProcessState } from '../../src/state/model.js';
import { launchChromium } from './chromium.js';
import { serveReport } from './serve-report.js';
import { NOW, makeConfig, makeProcess, makeState, obs } from './report-fixtures.js';

const NAMES = ['role', 'nfs'];
const members = NAMES.map((name) => makeProcess(name, ['lolek', 'bolek'], { group: 'storage' }));
const storage = makeProcess('storage', ['lolek', 'bolek'], { members });

test('status page: a group card lists each member per host', { timeout: 600_000 }, async () => {
  const lolek = combineMemberObservations('lolek', NAMES, [obs('lolek', 'up', 1), obs('lolek', 'down')], NOW);
  const bolek = combineMemberObservations('bolek', NAMES, [obs('bolek', 'down'), obs('bolek', 'down')], NOW);
  const states = new Map<string, ProcessState>([['storage', makeState([lolek, bolek])]]);
  const report = buildStatusReport({ config: makeConfig([storage]), states, now: NOW });
  const server = await serveReport(() => report);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    const card = page.locator('[data-process="storage"]');
    await card.waitFor({ timeout: 30_000 });
    const cell = (member: string, host: string) =>
      card.locator(
        `tr[data-member="${member}"][data-member-host="${host}"] td.k-${member === 'role' && host === 'lolek' ? 'up' : 'down'}`,
      );
    assert.equal(await cell('role', 'lolek').textContent(), 'up');
    assert.equal(await cell('nfs', 'lolek').textContent(), 'down');
    assert.equal(await card.locator('tr.member').count(), 4);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
