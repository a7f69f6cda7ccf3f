/**
 * A host cut off while an SSH connection to it is open (simulated by freezing,
 * with SIGSTOP, the sshd processes that serve the connection: the TCP
 * connection stays open, nothing answers on it). SIGTERM must still end
 * `ha-valet watch` promptly, and a one-shot pass must still exit: closing the
 * connection must not wait for the dead peer.
 */
import assert from 'node:assert/strict';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoEnv, DEMO_SERVICE, DEMO_TEST, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { CLOSE_WAIT_AFTER_KILL_MS } from '../../src/exec/ssh-run.js';
import { descendantsOf, signalAll, startTestSshd, type TestSshd } from '../helpers/sshd.js';
import { HOST_A } from './helpers/scenario.js';
import { startWatcher } from './helpers/watcher-process.js';
import { waitFor } from './helpers/wait.js';

const TEST_TIMEOUT_MS = 2000;
/**
 * The probe in flight runs until test_timeout, then waits up to
 * CLOSE_WAIT_AFTER_KILL_MS for its killed command; a wide margin on top.
 */
const EXIT_BOUND_MS = TEST_TIMEOUT_MS + CLOSE_WAIT_AFTER_KILL_MS + 5000;

let sshd: TestSshd;
let env: DemoEnv;

before(async () => {
  sshd = await startTestSshd({ addresses: [HOST_A] });
  env = await createDemoEnv({
    hosts: [HOST_A],
    defaults: [
      'transport = ssh',
      `ssh_port = ${sshd.port}`,
      `ssh_user = ${sshd.user}`,
      `ssh_key = ${sshd.clientKeyFile}`,
      `ssh_known_hosts = ${sshd.knownHostsFile}`,
      'connect_timeout = 3s',
    ],
    extra: [`test_timeout = ${TEST_TIMEOUT_MS / 1000}s`],
    // Each probe announces itself, then lingers: long enough to freeze the host mid-command.
    test: (dir) => `touch ${dir}/probing-{host}; sleep 1; ${DEMO_TEST}`,
    start: (dir) => `HA_VALET_DEMO_DIR=${dir} ${process.execPath} ${DEMO_SERVICE} start {host} {port}`,
  });
});

after(async () => {
  await env?.cleanup();
  await sshd?.dispose();
});

/** Waits for a probe to start on HOST_A (after clearing the marker), then freezes every sshd process serving a connection. */
async function freezeDuringProbe(): Promise<number[]> {
  const marker = path.join(env.dir, `probing-${HOST_A}`);
  await rm(marker, { force: true });
  await waitFor('a probe to start over SSH', () =>
    access(marker).then(
      () => true,
      () => false,
    ),
  );
  const frozen = descendantsOf(sshd.pid!);
  assert.ok(frozen.length > 0, 'the connection has its own sshd process');
  signalAll(frozen, 'SIGSTOP');
  return frozen;
}

test('SIGTERM while the SSH host is frozen: the watcher exits 0 once the probe in flight times out', async (t) => {
  const watcher = startWatcher(env.configPath, ['--interval', '0.5']);
  let frozen: number[] = [];
  try {
    frozen = await freezeDuringProbe();
    const signalledAt = Date.now();
    watcher.signal('SIGTERM');
    const exit = await Promise.race([
      watcher.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), EXIT_BOUND_MS + 30_000).unref()),
    ]);
    const tookMs = Date.now() - signalledAt;
    t.diagnostic(`exited ${tookMs} ms after SIGTERM`);
    assert.deepEqual(exit, { code: 0, signal: null }, watcher.log());
    assert.ok(tookMs < EXIT_BOUND_MS, `exited ${tookMs} ms after SIGTERM:\n${watcher.log()}`);
    assert.match(watcher.log(), /stopped/);
  } finally {
    watcher.signal('SIGKILL');
    signalAll(frozen, 'SIGCONT');
  }
});

test('a one-shot pass whose SSH host freezes mid-probe exits once the probe times out', async (t) => {
  let frozen: number[] = [];
  try {
    const startedAt = Date.now();
    const pass = runCliProcess(['-c', env.configPath, '-p', 'Svc', '--json'], { timeoutMs: 60_000 });
    frozen = await freezeDuringProbe();
    const result = await pass;
    const tookMs = Date.now() - startedAt;
    t.diagnostic(`the pass took ${tookMs} ms`);
    assert.ok(result.code !== null, `killed after 60 s: ${result.stderr}`);
    const svc = JSON.parse(result.stdout).processes[0];
    const observation = svc.observations.find((o: { host: string }) => o.host === HOST_A);
    assert.equal(observation.kind, 'unreachable', result.stdout);
    assert.ok(tookMs < EXIT_BOUND_MS, `the pass took ${tookMs} ms:\n${result.stderr}`);
  } finally {
    signalAll(frozen, 'SIGCONT');
  }
});
