/**
 * A switchover whose start is held up on its way to the host (the host froze
 * right as the start was sent): the start times out, the old instance keeps
 * running, and when the host comes back the held-up start is not run there, so
 * the service never runs twice. `ha-valet watch` carries the move out over its
 * long-lived SSH connection; host A is frozen (its sshd processes and the
 * remote runner SIGSTOPped) at the moment the before_failover hook names.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoEnv, DEMO_SERVICE, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { descendantsOf, signalAll } from '../helpers/sshd.js';
import { startSshHostPair, type SshHostPair } from '../helpers/ssh-host-pair.js';
import { startWatcher, type WatcherProcess } from '../watch/helpers/watcher-process.js';

const A = '127.0.0.2';
const B = '127.0.0.3';
let pair: SshHostPair;
let env: DemoEnv;
let watcher: WatcherProcess | null = null;
let frozen: number[] = [];

before(async () => {
  pair = await startSshHostPair(A, B);
  env = await createDemoEnv({
    hosts: [A, B],
    defaults: pair.defaults,
    extra: (dir) => [
      'start_timeout = 2s',
      'stop_timeout = 2s',
      'test_timeout = 2s',
      // The hook says "now" and waits until the test has frozen host A: the start is sent next.
      `before_failover = touch ${dir}/freeze-now; i=0; while [ ! -e ${dir}/frozen ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`,
    ],
    // Each start that runs says so first (a stop sent after it could end what it started).
    start: (dir) =>
      `echo {host} >> ${dir}/starts; HA_VALET_DEMO_DIR=${dir} ${process.execPath} ${DEMO_SERVICE} start {host} {port}`,
  });
});

after(async () => {
  signalAll(frozen, 'SIGCONT');
  await watcher?.stop();
  await env?.cleanup();
  await pair?.dispose();
});

test('a start held up by a frozen host times out, the old instance stays, and the start is not run when the host thaws', async (t) => {
  assert.equal(env.service('start', B), 0);
  watcher = startWatcher(env.configPath, ['--interval', '0.5']);
  await watcher.waitForLog(/Svc: up on 127\.0\.0\.3 \(priority 2\)/);
  const freezeNow = path.join(env.dir, 'freeze-now');
  const freezer = (async () => {
    while (!existsSync(freezeNow)) await new Promise((resolve) => setTimeout(resolve, 20));
    frozen = descendantsOf(pair.hostA.pid!);
    signalAll(frozen, 'SIGSTOP');
    writeFileSync(path.join(env.dir, 'frozen'), '');
  })();
  const move = await runCliProcess(['-c', env.configPath, 'move', '-p', 'Svc', '--to', A, '--wait', '30'], {
    timeoutMs: 60_000,
  });
  await freezer;
  t.diagnostic(`move: exit ${move.code}: ${move.stdout.trim()} ${move.stderr.trim().slice(0, 300)}`);
  assert.ok(frozen.length > 0, 'host A had a connection to freeze');
  assert.notEqual(move.code, 0, 'the switchover failed');
  assert.equal(await env.isUp(B), true, 'the old instance keeps running');

  signalAll(frozen, 'SIGCONT');
  frozen = [];
  const from = watcher.log().length;
  // One line for what arrived together: the start, its cleanup stop, the tests meanwhile.
  await watcher.waitForLog(
    /reached \S*127\.0\.0\.2\S* [\d–]+ ms after (its timeout|their timeouts) had been reported .* not run there: .*echo 127\.0\.0\.2 >>/,
    { from, timeoutMs: 15_000 },
  );
  // Give a start that was let through time to run (it takes well under a second).
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const starts = path.join(env.dir, 'starts');
  const ran = existsSync(starts) ? readFileSync(starts, 'utf8').split('\n').filter(Boolean) : [];
  assert.deepEqual(ran, [], 'the held-up start did not run on host A');
  assert.equal(await env.isUp(A), false);
  assert.equal(await env.isUp(B), true);
  assert.doesNotMatch(
    watcher.log().slice(from),
    /start Svc@127\.0\.0\.2/,
    'the watcher did not try again meanwhile',
  );
});
