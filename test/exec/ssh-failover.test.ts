/**
 * A failover across two SSH hosts: each "host" is its own sshd on its own
 * loopback address; the demo service runs on the host through `transport = ssh`.
 * When the first host's sshd is stopped, that host is unreachable (never read as
 * down) and the pass brings the service up on the second.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDemoEnv, DEMO_SERVICE, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import type { TestSshd } from '../helpers/sshd.js';
import { startSshHostPair, type SshHostPair } from '../helpers/ssh-host-pair.js';

let pair: SshHostPair;
let hostA: TestSshd;
let hostB: TestSshd;
let env: DemoEnv;

before(async () => {
  pair = await startSshHostPair();
  ({ hostA, hostB } = pair);
  env = await createDemoEnv({
    defaults: pair.defaults,
    start: (dir) => `HA_VALET_DEMO_DIR=${dir} ${process.execPath} ${DEMO_SERVICE} start {host} {port}`,
  });
});

after(async () => {
  await env?.cleanup();
  await pair?.dispose();
});

test('commands run over SSH: the first pass starts the service on the preferred host', async () => {
  const result = await runCliProcess(['-c', env.configPath]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Svc: was down, started on 127.0.0.2\n');
  assert.equal(await env.isUp('127.0.0.2'), true);
  assert.ok(hostA.acceptedLogins() >= 1, 'the start went through host A sshd');
});

test("first host's sshd stopped: unreachable, not down; the service comes up on the second host", async () => {
  env.service('stop', '127.0.0.2');
  await hostA.stop();
  const result = await runCliProcess(['-c', env.configPath, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const svc = JSON.parse(result.stdout).processes[0];
  const first = svc.observations.find((o: { host: string }) => o.host === '127.0.0.2');
  assert.equal(first.kind, 'unreachable');
  assert.match(first.reason, /connection refused/);
  assert.equal(svc.activeHost, '127.0.0.3');
  assert.match(
    svc.summary,
    /failed over from 127\.0\.0\.2 to 127\.0\.0\.3 \(127\.0\.0\.2: unreachable: connection refused/,
  );
  assert.equal(await env.isUp('127.0.0.3'), true);
  assert.ok(hostB.acceptedLogins() >= 1, 'the start went through host B sshd');
});
