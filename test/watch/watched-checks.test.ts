/**
 * Watched tcp:// checks in a real watcher (issue 14): the connect helper keeps
 * checking a steady process every interval while the watcher runs no cycle of it;
 * a check that changes (the service killed) brings cycles back at once, and the
 * restart is as quick as with cycles every interval. Status still sees fresh checks,
 * and an operator request still reaches the quiet process within a few intervals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createDemoEnv } from '../helpers/demo-env.js';
import { gatherStatus } from '../../src/report/gather-status.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { HOST_A, HOST_B } from './helpers/scenario.js';
import { sleep, waitFor } from './helpers/wait.js';
import { startWatcher } from './helpers/watcher-process.js';

/** Cycle lines of Svc the watcher logged at debug level since `from`. */
function cycleLines(log: string, from: number): number {
  return log
    .slice(from)
    .split('\n')
    .filter((line) => / DEBUG Svc: /.test(line)).length;
}

/** checksDone from the watcher's heartbeat. */
async function checksDone(stateDir: string): Promise<number> {
  const [sub] = await readdir(stateDir);
  const beat = JSON.parse(await readFile(path.join(stateDir, sub!, 'heartbeat.json'), 'utf8')) as {
    checksDone?: number;
  };
  return beat.checksDone ?? 0;
}

test('a steady process is checked every interval without cycles; a change brings them back', async () => {
  const env = await createDemoEnv({ test: 'tcp://{host}:{port}' });
  const watcher = startWatcher(env.configPath, ['--interval', '200ms', '--log-level', 'debug']);
  try {
    const status = async () =>
      (await gatherStatus({ configPath: env.configPath, probe: false, env: process.env })).report
        .processes[0]!;
    await waitFor(
      'Svc up on A',
      async () => (await status().catch(() => null))?.state === 'up' && (await env.isUp(HOST_A)),
    );
    await sleep(2000); // settles: the standby's bad checks reach check_count, then it is steady
    const from = watcher.log().length;
    const checks = await checksDone(path.join(env.dir, 'state'));
    await sleep(4000);
    const cycles = cycleLines(watcher.log(), from);
    const made = (await checksDone(path.join(env.dir, 'state'))) - checks;
    // 4 s at 200 ms: 20 rounds of 2 checks. Wide margins for a busy machine.
    assert.ok(made >= 16, `the helper kept checking: ${made} checks in 4 s`);
    assert.ok(cycles <= 4, `no cycle while nothing changed: ${cycles} cycles in 4 s`);
    const host = (await status()).hosts.find((h) => h.host === HOST_A)!;
    assert.ok(host.observation!.ageMs < 2500, `status sees a recent check (${host.observation!.ageMs} ms)`);

    const killed = Date.now();
    const pid = await env.pidOf(HOST_A);
    assert.ok(pid, `a pid file for A (${env.dir}):\n${watcher.log().slice(-3000)}`);
    process.kill(pid, 'SIGKILL');
    await waitFor('Svc restarted', async () => (await env.isUp(HOST_A)) || (await env.isUp(HOST_B)));
    const tookMs = Date.now() - killed;
    assert.ok(tookMs < 15_000, `restarted ${tookMs} ms after the kill`);
    assert.match(watcher.log(), /died on 127\.0\.0\.2/);

    // An operator request reaches the quiet process (inotify wakes it).
    await waitFor('steady again', async () => (await status()).state === 'up');
    await sleep(2000);
    // The CLI waits for the watcher's outcome: it returns once the quiet process took the request.
    const moved = await runCliProcess([
      '-c',
      env.configPath,
      'move',
      '-p',
      'Svc',
      '--to',
      HOST_B,
      '--wait',
      '20',
    ]);
    assert.equal(moved.code, 0, moved.stderr);
    await waitFor('Svc moved to B', async () => (await env.isUp(HOST_B)) && !(await env.isUp(HOST_A)), {
      timeoutMs: 20_000,
    });
  } finally {
    await watcher.stop();
    await env.cleanup();
  }
});
