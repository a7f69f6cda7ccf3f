import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createDemoEnv, DEMO_SERVICE, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';

/** Runs one pass over the env's config with extra args. */
function pass(env: DemoEnv, ...args: string[]) {
  return runCliProcess(['-c', env.configPath, ...args]);
}

describe('one pass with real demo services', () => {
  let env: DemoEnv;
  before(async () => {
    env = await createDemoEnv();
  });
  after(async () => {
    await env.cleanup();
  });

  test('nothing running: starts on the preferred host, exit 0; a second pass does nothing', async () => {
    const first = await pass(env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'Svc: was down, started on 127.0.0.2\n');
    assert.equal(await env.isUp('127.0.0.2'), true);
    const stored = JSON.parse((await pass(env, 'status', '--no-probe', '--json')).stdout);
    const host = stored.processes[0].hosts.find((h: { host: string }) => h.host === '127.0.0.2');
    assert.equal(host.observation.kind, 'up', 'the verify test after the start is what the state remembers');
    const second = await pass(env);
    assert.equal(second.stdout, 'Svc: up on 127.0.0.2 (priority 1)\n');
    assert.equal(second.code, 0);
  });

  test('kill -9 of the active instance: one pass restarts it', async () => {
    const pid = (await env.pidOf('127.0.0.2'))!;
    process.kill(pid, 'SIGKILL');
    const result = await pass(env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Svc: died on 127\.0\.0\.2( after running \d+ s)?, restarted on 127\.0\.0\.2\n$/,
    );
    assert.notEqual(await env.pidOf('127.0.0.2'), pid);
    assert.equal(await env.isUp('127.0.0.2'), true);
  });

  test('preferred host cannot start (its port is taken): the pass starts on the stand-by', async () => {
    env.service('stop', '127.0.0.2');
    const squatter = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end('not the service\n');
    });
    await new Promise<void>((resolve) => squatter.listen(env.port, '127.0.0.2', resolve));
    try {
      const result = await pass(env, '--json');
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout);
      const svc = json.processes[0];
      assert.equal(svc.activeHost, '127.0.0.3');
      assert.deepEqual(
        svc.actions.map((a: { type: string; host: string; ok: boolean }) => `${a.type} ${a.host} ${a.ok}`),
        ['start 127.0.0.2 false', 'start 127.0.0.3 true'],
      );
      assert.match(
        svc.summary,
        /failed over from 127\.0\.0\.2 to 127\.0\.0\.3 \(127\.0\.0\.2: start failed, exit 1\)/,
      );
      assert.equal(await env.isUp('127.0.0.3'), true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('two instances started by hand: the pass stops the lower-priority one', async () => {
    assert.equal(env.service('start', '127.0.0.2'), 0);
    const result = await pass(env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /split brain resolved, stopped 127\.0\.0\.3/);
    assert.equal(await env.isUp('127.0.0.2'), true);
    assert.equal(await env.isUp('127.0.0.3'), false);
  });

  test('--dry-run shows the plan and starts nothing', async () => {
    env.service('stop', '127.0.0.2');
    const result = await pass(env, '--dry-run');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /dry run: would start on 127\.0\.0\.2/);
    assert.equal(await env.isUp('127.0.0.2'), false);
  });

  test('an unknown -p name is exit 2 listing the known names', async () => {
    const result = await pass(env, '-p', 'Nope');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown process 'Nope'.*known: Svc/);
  });
});

describe('timeouts and daemons', () => {
  test('a test command that hangs past test_timeout is killed with its whole group: unreachable', async () => {
    const env = await createDemoEnv({
      hosts: ['127.0.0.2'],
      test: 'sh -c "echo $$ > {host}.pid; sleep 300 & echo $! > {host}.child; wait"',
      extra: ['test_timeout = 500ms'],
    });
    try {
      const result = await runCliProcess(['-c', env.configPath, '--dry-run', '--json'], { cwd: env.dir });
      const json = JSON.parse(result.stdout);
      const observation = json.processes[0].observations[0];
      assert.equal(observation.kind, 'unreachable');
      assert.match(observation.reason, /timed out/);
      const shellPid = Number(await readFile(path.join(env.dir, '127.0.0.2.pid'), 'utf8'));
      const sleepPid = Number(await readFile(path.join(env.dir, '127.0.0.2.child'), 'utf8'));
      assert.equal(isAlive(shellPid), false, 'the test shell survived its timeout');
      assert.equal(isAlive(sleepPid), false, 'a child of the test command survived its timeout');
    } finally {
      await env.cleanup();
    }
  });

  test('a start command that backgrounds a daemon returns promptly', async () => {
    // The backgrounded sleep inherits the start command's stdout and holds it open for 30 s.
    const env = await createDemoEnv({
      hosts: ['127.0.0.2'],
      start: (dir) =>
        `sh -c 'sleep 30 & echo $! > ${dir}/daemon.pid; HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} start {host} {port}'`,
    });
    try {
      const began = Date.now();
      const result = await runCliProcess(['-c', env.configPath, '--json']);
      const elapsed = Date.now() - began;
      assert.equal(result.code, 0, result.stderr);
      const sleeper = Number(await readFile(path.join(env.dir, 'daemon.pid'), 'utf8'));
      assert.equal(isAlive(sleeper), true, 'the backgrounded daemon should keep running');
      assert.ok(elapsed < 25_000, `pass took ${elapsed} ms: it waited for the daemon's stdout`);
      process.kill(sleeper, 'SIGKILL');
    } finally {
      await env.cleanup();
    }
  });
});
