import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDemoEnv, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { cliMain } from '../helpers/paths.js';
import { runCliProcess } from '../helpers/run-cli.js';

/** Runs the CLI over the env's config. */
function cli(env: DemoEnv, ...args: string[]) {
  return runCliProcess(['-c', env.configPath, ...args]);
}

/** Polls `check` until it is true; fails after `limitMs` (a safety net, not a timing assertion). */
async function until(check: () => Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`gave up waiting: ${what}`);
    await sleep(100);
  }
}

describe('operator commands honoured by a running watcher', () => {
  let env: DemoEnv;
  let watcher: ChildProcess;
  let watcherLog = '';
  before(async () => {
    env = await createDemoEnv();
    watcher = spawn(process.execPath, [cliMain, '-c', env.configPath, 'watch', '--interval', '0.5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    watcher.stdout!.on('data', (chunk: Buffer) => (watcherLog += chunk.toString()));
    watcher.stderr!.on('data', (chunk: Buffer) => (watcherLog += chunk.toString()));
    await until(() => env.isUp('127.0.0.2'), 'the watcher starts Svc on 127.0.0.2');
  });
  after(async () => {
    if (watcher.exitCode === null && watcher.signalCode === null) {
      const exited = once(watcher, 'exit');
      process.kill(watcher.pid!, 'SIGTERM');
      await exited;
    }
    await env.cleanup();
  });

  test('move --wait: queued for the watcher, carried out by it, watcher keeps running', async () => {
    const oldPid = (await env.pidOf('127.0.0.2'))!;
    const result = await cli(env, 'move', '-p', 'Svc', '--to', '127.0.0.3', '--wait', '20');
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}\n--- watcher:\n${watcherLog}`);
    const lines = result.stdout.split('\n');
    assert.match(
      lines[0]!,
      new RegExp(
        `^request queued: the running watcher \\(\\S+:${watcher.pid}\\) will carry it out within one interval$`,
      ),
    );
    assert.match(result.stdout, /Svc operator on 127\.0\.0\.3 by \S+@\S+: move/);
    assert.match(result.stdout, /Svc switchover on 127\.0\.0\.3 ok/);
    assert.match(result.stdout, /^Svc: move to 127\.0\.0\.3 by \S+: done \(up on 127\.0\.0\.3\)$/m);
    assert.equal(await env.isUp('127.0.0.3'), true);
    assert.equal(isAlive(oldPid), false);
    assert.equal(isAlive(watcher.pid!), true, 'the watcher was not restarted');
    assert.equal(watcher.exitCode, null);

    const history = await cli(env, 'history', '-p', 'Svc');
    assert.match(history.stdout, /Svc operator on 127\.0\.0\.3 by \S+@\S+: move/);
  });

  test('stop --wait holds it stopped under the watcher; start --wait brings it back', async () => {
    const stop = await cli(env, 'stop', '-p', 'Svc', '--wait', '20');
    assert.equal(stop.code, 0, `${stop.stdout}${stop.stderr}`);
    assert.match(stop.stdout, /^Svc: stop by \S+: done \(stopped and held/m);
    assert.equal(await env.isUp('127.0.0.3'), false);
    await sleep(1500); // three watcher intervals
    assert.equal(await env.isUp('127.0.0.2'), false, 'the watcher did not restart a held process');
    assert.equal(await env.isUp('127.0.0.3'), false);

    const start = await cli(env, 'start', '-p', 'Svc', '--wait', '20');
    assert.equal(start.code, 0, `${start.stdout}${start.stderr}`);
    assert.match(start.stdout, /^Svc: start by \S+: done \(up on 127\.0\.0\.2\)$/m);
    assert.equal(await env.isUp('127.0.0.2'), true);
    assert.equal(isAlive(watcher.pid!), true);
  });

  test('without --wait the command only queues (exit 0) and the watcher carries it out', async () => {
    const result = await cli(env, 'maintenance', 'on', '-p', 'Svc');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^request queued: the running watcher/);
    await until(async () => {
      const status = await cli(env, 'status', '-p', 'Svc', '--json', '--no-probe');
      const report = JSON.parse(status.stdout) as { processes: Array<{ state: string }> };
      return report.processes[0]?.state === 'maintenance';
    }, 'status shows maintenance');
    const off = await cli(env, 'maintenance', 'off', '-p', 'Svc', '--wait', '20');
    assert.equal(off.code, 0, off.stdout + off.stderr);
  });
});
