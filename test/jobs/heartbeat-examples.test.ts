/**
 * ha_heartbeat's two examples (config/examples/heartbeat-*.cfg) end to end over
 * real SSH: m1 and m2 are two sshd listeners on 127.0.0.2 and 127.0.0.3. The
 * example files are used as shipped, with the test's SSH settings and state dir
 * added to [DEFAULT] and the hosts given through M1/M2 in the environment.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { runCliProcess } from '../helpers/run-cli.js';
import { startTestSshd, type TestSshd } from '../helpers/sshd.js';
import { startWatcher } from '../watch/helpers/watcher-process.js';
import { waitFor } from '../watch/helpers/wait.js';

const [M1, M2] = ['127.0.0.2', '127.0.0.3'];
let m1: TestSshd;
let m2: TestSshd;
let dir: string;
let sshLines: string[];

before(async () => {
  // The watcher child inherits them too.
  process.env.M1 = M1;
  process.env.M2 = M2;
  m1 = await startTestSshd({ addresses: [M1] });
  m2 = await startTestSshd({ addresses: [M2], port: m1.port });
  appendFileSync(path.join(m2.dir, 'authorized_keys'), readFileSync(`${m1.clientKeyFile}.pub`));
  const knownHosts = path.join(m1.dir, 'known_hosts.both');
  writeFileSync(
    knownHosts,
    readFileSync(m1.knownHostsFile, 'utf8') + readFileSync(m2.knownHostsFile, 'utf8'),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-heartbeat-'));
  sshLines = [
    `ssh_port = ${m1.port}`,
    `ssh_user = ${m1.user}`,
    `ssh_key = ${m1.clientKeyFile}`,
    `ssh_known_hosts = ${knownHosts}`,
    'connect_timeout = 3s',
  ];
});

after(async () => {
  await m1?.dispose();
  await m2?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The example with the test's [DEFAULT] lines added (and `every` replaced when asked). */
async function example(name: string, every?: string): Promise<string> {
  let text = await readFile(path.join(repoRoot, 'config', 'examples', name), 'utf8');
  const own = [`state_dir = ${dir}/state-${name}`, ...sshLines].join('\n');
  text = text.replace('[DEFAULT]\n', `[DEFAULT]\n${own}\n`);
  if (every) text = text.replace(/^every = .*$/m, `every = ${every}`);
  const file = path.join(dir, `${every ? 'fast-' : ''}${name}`);
  await writeFile(file, text);
  return file;
}

/** `M1=… M2=… ha-valet -c FILE ARGS...`. */
function cli(file: string, ...args: string[]) {
  return runCliProcess(['-c', file, ...args], { env: { M1, M2 } });
}

/** Runs the job once with run-job; returns the host it ran on (from --json). */
async function runOnce(
  file: string,
  job: string,
): Promise<{ host: string | null; reason: string; outputTail: string }> {
  const result = await cli(file, 'run-job', job, '--json');
  assert.equal(result.code, 0, result.stdout + result.stderr);
  return JSON.parse(result.stdout) as { host: string | null; reason: string; outputTail: string };
}

test('example 1 (-f): "dir" pinned to m2, m1 while m2 is down, back to m2 when it returns', async () => {
  const file = await example('heartbeat-fallback.cfg');
  const first = await runOnce(file, 'Heartbeat');
  assert.equal(first.host, M2);
  assert.match(first.outputTail, /\betc\b/);
  await m2.stop();
  try {
    const failover = await runOnce(file, 'Heartbeat');
    assert.equal(failover.host, M1);
    assert.match(failover.reason, /ok on 127\.0\.0\.2 \(passed over 127\.0\.0\.3: .*refused/);
  } finally {
    await m2.start();
  }
  assert.equal((await runOnce(file, 'Heartbeat')).host, M2, 'fallback to m2');
});

test('example 1 on its schedule: the watcher runs each slot once on m2', async () => {
  const file = await example('heartbeat-fallback.cfg', '1s');
  const watcher = startWatcher(file, ['--interval', '1']);
  let history: Array<{ event: string; host: string; reason: string }> = [];
  try {
    await waitFor('3 scheduled runs', async () => {
      const result = await cli(file, 'history', '-p', 'Heartbeat', '--json');
      history = JSON.parse(result.stdout || '[]') as typeof history;
      return history.filter((e) => e.event === 'job' && e.reason.startsWith('slot')).length >= 3;
    });
  } finally {
    assert.equal((await watcher.stop()).code, 0, watcher.log());
  }
  const scheduled = history.filter((e) => e.event === 'job' && e.reason.startsWith('slot'));
  const slots = scheduled.map((e) => /^slot (\S+?Z):/.exec(e.reason)?.[1]);
  assert.equal(new Set(slots).size, slots.length, slots.join(', '));
  assert.ok(
    scheduled.every((e) => e.host === M2),
    JSON.stringify(scheduled),
  );
});

test('example 2 (no -f): "ls -l" stays on m2 after m1 comes back', async () => {
  const file = await example('heartbeat-no-fallback.cfg');
  assert.equal((await runOnce(file, 'Listing')).host, M1);
  await m1.stop();
  try {
    assert.equal((await runOnce(file, 'Listing')).host, M2, 'm2 takes over');
  } finally {
    await m1.start();
  }
  assert.equal((await runOnce(file, 'Listing')).host, M2, 'no fallback: m2 keeps the job');
  assert.equal((await runOnce(file, 'Listing')).host, M2);
});
