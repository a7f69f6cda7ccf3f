import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoEnv, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import type { JournalEntry } from '../../src/state/model.js';

/** Runs the CLI over the env's config. */
function cli(env: DemoEnv, ...args: string[]) {
  return runCliProcess(['-c', env.configPath, ...args]);
}

/** Kills every demo instance of the env with SIGKILL (as a crash would). */
async function killAll(env: DemoEnv): Promise<void> {
  for (const host of env.hosts) {
    const pid = await env.pidOf(host);
    if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

describe('stop/start, maintenance on/off (no watcher)', () => {
  const envs: DemoEnv[] = [];
  afterEach(async () => {
    while (envs.length > 0) await envs.pop()!.cleanup();
  });

  test('stop: nothing up and held across passes; start resumes it', async () => {
    const env = await createDemoEnv();
    envs.push(env);
    assert.equal((await cli(env)).code, 0);
    const pid = (await env.pidOf('127.0.0.2'))!;

    const stop = await cli(env, 'stop', '-p', 'Svc');
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    assert.match(stop.stdout, /^Svc: stop by \S+: done \(stopped and held/m);
    assert.equal(isAlive(pid), false);
    assert.equal(await env.isUp('127.0.0.2'), false);
    assert.equal(await env.isUp('127.0.0.3'), false);

    const pass = await cli(env);
    assert.equal(pass.code, 1, 'a held process is not up');
    assert.equal(pass.stdout, 'Svc: in maintenance: probing only, not acting\n');
    assert.equal(await env.isUp('127.0.0.2'), false);
    assert.equal(await env.isUp('127.0.0.3'), false);

    const start = await cli(env, 'start', '-p', 'Svc');
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.match(start.stdout, /^Svc: was down, started on 127\.0\.0\.2$/m);
    assert.match(start.stdout, /^Svc: start by \S+: done \(up on 127\.0\.0\.2\)$/m);
    assert.equal(await env.isUp('127.0.0.2'), true);

    const history = await cli(env, 'history', '-p', 'Svc');
    assert.match(history.stdout, /Svc operator by \S+@\S+: stop/);
    assert.match(history.stdout, /Svc stop on 127\.0\.0\.2 ok .*stopped by operator/);
    assert.match(history.stdout, /Svc operator by \S+@\S+: start/);
  });

  test('start --on a stand-by host places it there', async () => {
    const env = await createDemoEnv();
    envs.push(env);
    const start = await cli(env, 'start', '-p', 'Svc', '--on', '127.0.0.3');
    assert.equal(start.code, 0, start.stdout + start.stderr);
    assert.equal(await env.isUp('127.0.0.3'), true);
    assert.equal(await env.isUp('127.0.0.2'), false);
    const bad = await cli(env, 'start', '-p', 'Svc', '--on', 'nowhere');
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /--on nowhere: not a candidate host of Svc .*candidates: 127\.0\.0\.2, 127\.0\.0\.3/,
    );
  });

  test('maintenance on: a pass does not restart a killed instance; off: it does', async () => {
    const env = await createDemoEnv();
    envs.push(env);
    assert.equal((await cli(env)).code, 0);

    const on = await cli(env, 'maintenance', 'on', '-p', 'Svc');
    assert.equal(on.code, 0, on.stdout + on.stderr);
    assert.match(on.stdout, /^Svc: maintenance on by \S+: done \(in maintenance/m);
    assert.equal(await env.isUp('127.0.0.2'), true, 'maintenance on stops nothing');

    await killAll(env);
    const pass = await cli(env);
    assert.equal(pass.stdout, 'Svc: in maintenance: probing only, not acting\n');
    assert.equal(await env.isUp('127.0.0.2'), false);
    assert.equal(await env.isUp('127.0.0.3'), false);

    const off = await cli(env, 'maintenance', 'off', '-p', 'Svc');
    assert.equal(off.code, 0, off.stdout + off.stderr);
    assert.match(
      off.stdout,
      /^Svc: died on 127\.0\.0\.2( after running \d+ s)?, restarted on 127\.0\.0\.2$/m,
    );
    assert.match(off.stdout, /^Svc: maintenance off by \S+: done \(out of maintenance/m);
    assert.equal(await env.isUp('127.0.0.2'), true);

    const bad = await cli(env, 'maintenance', 'maybe', '-p', 'Svc');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /maintenance expects 'on' or 'off', got 'maybe'/);
  });

  test('reset revives a flapping process that went given-up', async () => {
    const env = await createDemoEnv({
      extra: ['max_restarts = 2', 'restart_window = 1m', 'min_uptime = 5s', 'given_up_retry = never'],
    });
    envs.push(env);
    const summaries: string[] = [];
    for (let pass = 0; pass < 6; pass++) {
      const result = await cli(env);
      summaries.push(result.stdout.trim());
      if (/gave up|given up/.test(result.stdout)) break;
      await killAll(env);
    }
    // The pass that gives up runs the on_given_up hooks, then says the held sentence.
    assert.match(summaries.at(-1)!, /^Svc: (gave up|given up)/, summaries.join('\n'));

    const held = await cli(env);
    assert.equal(held.code, 1);
    assert.match(held.stdout, /^Svc: given up after too many restarts \(never retries; reset to revive\)$/m);
    assert.equal(await env.isUp('127.0.0.2'), false);

    const reset = await cli(env, 'reset', '-p', 'Svc');
    assert.equal(reset.code, 0, reset.stdout + reset.stderr);
    assert.match(reset.stdout, /^Svc: was down, (started on|failed over from \S+ to) 127\.0\.0\.2$/m);
    assert.match(
      reset.stdout,
      /^Svc: reset by \S+: done \(given-up, latch and back-off cleared \(now up on 127\.0\.0\.2\)\)$/m,
    );
    assert.equal(await env.isUp('127.0.0.2'), true);

    const entries = JSON.parse((await cli(env, 'history', '-p', 'Svc', '--json')).stdout) as JournalEntry[];
    assert.ok(entries.some((e) => e.event === 'transition' && /-> GIVEN-UP/.test(e.reason ?? '')));
    assert.ok(entries.some((e) => e.event === 'operator' && e.reason === 'reset' && e.by));
  });
});
