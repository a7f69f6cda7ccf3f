/**
 * Issue 11's first-time user: one-shot passes a few seconds apart, the active instance killed with
 * SIGKILL before each. The service stays on the preferred host and each line says what happened.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoEnv, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import type { JournalEntry } from '../../src/state/model.js';
import { sleep } from '../watch/helpers/wait.js';

const PREFERRED = '127.0.0.2';
let env: DemoEnv;
before(async () => {
  // The shipped min_uptime (1 s) instead of the demo's 0 s, so these deaths are early deaths.
  env = await createDemoEnv({ extra: ['min_uptime = 1s'] });
});
after(() => env.cleanup());

function cli(...args: string[]) {
  return runCliProcess(['-c', env.configPath, ...args]);
}

/** SIGKILLs the instance on the preferred host and waits until its process is gone. */
async function killPreferred(): Promise<void> {
  const pid = (await env.pidOf(PREFERRED))!;
  assert.ok(pid !== null && isAlive(pid), 'an instance runs on the preferred host');
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}

test('kill -9 twice within ten seconds, a pass after each: restarted on the preferred host with its words', async () => {
  const first = await cli();
  assert.equal(first.stdout, `Svc: was down, started on ${PREFERRED}\n`, first.stderr);
  const startedAt = Date.now();
  for (let kill = 0; kill < 2; kill++) {
    await sleep(1500);
    await killPreferred();
    const pass = await cli();
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(
      pass.stdout,
      /^Svc: died within \d+ s of its start on 127\.0\.0\.2, restarted on 127\.0\.0\.2\n$/,
    );
    assert.equal(await env.isUp(PREFERRED), true);
    assert.equal(await env.isUp('127.0.0.3'), false, 'the stand-by was not started');
  }
  assert.ok(Date.now() - startedAt < 30_000);

  const history = await cli('history', '-p', 'Svc', '--json');
  const entries = JSON.parse(history.stdout) as JournalEntry[];
  const deaths = entries.filter((e) => e.event === 'died-early');
  assert.equal(deaths.length, 2, history.stdout);
  for (const death of deaths) {
    assert.equal(death.host, PREFERRED);
    assert.match(death.reason ?? '', /^died within \d+ s of its start on 127\.0\.0\.2$/);
  }
  const status = await cli('status', '--json', '--no-probe');
  const report = JSON.parse(status.stdout) as {
    processes: Array<{
      state: string;
      activeHost: string;
      hosts: Array<{ host: string; earlyDeaths: number }>;
    }>;
  };
  assert.equal(report.processes[0]!.state, 'up');
  assert.equal(report.processes[0]!.activeHost, PREFERRED);
  assert.equal(report.processes[0]!.hosts.find((h) => h.host === PREFERRED)?.earlyDeaths, 2);
});
