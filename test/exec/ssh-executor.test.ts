/** SshExecutor against a real throwaway sshd on 127.0.0.2 and 127.0.0.3. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { OUTPUT_CAPTURE_BYTES } from '../../src/exec/executor.js';
import type { SshExecutor } from '../../src/exec/ssh-executor.js';
import { generateKey, startTestSshd, type TestSshd } from '../helpers/sshd.js';
import { poolMaker } from '../helpers/ssh-pools.js';

let sshd: TestSshd;
const { newPool, closeAll } = poolMaker();
const opts = { timeoutMs: 10_000 };

before(async () => {
  sshd = await startTestSshd({ addresses: ['127.0.0.2', '127.0.0.3'] });
});

after(async () => {
  await closeAll();
  await sshd.dispose();
});

// The behaviour is the same through the remote runner (the default) and one exec channel per command.
for (const runner of [true, false]) {
  const mode = runner ? 'remote runner' : 'exec channel per command';

  test(`exit codes come back as data and output is captured (${mode})`, async () => {
    const executor = newPool().forHost(sshd.settings({ runner }), '127.0.0.2');
    assert.equal(executor.transport, 'ssh');
    assert.equal(executor.host, '127.0.0.2');
    for (const code of [1, 2, 0]) {
      const result = await executor.run(`echo out${code}; echo err${code} >&2; exit ${code}`, opts);
      assert.equal(result.transportError, null);
      assert.equal(result.exitCode, code);
      assert.equal(result.stdout, `out${code}\n`);
      assert.equal(result.stderr, `err${code}\n`, 'the PGID marker is stripped from stderr');
      assert.equal(result.timedOut, false);
    }
    const env = await executor.run('echo "$HV_TEST_VALUE"', { ...opts, env: { HV_TEST_VALUE: "it's here" } });
    assert.equal(env.stdout, "it's here\n");
  });

  test(`a command reading stdin gets end of file at once (stdin is /dev/null, as locally) (${mode})`, async () => {
    const result = await newPool()
      .forHost(sshd.settings({ runner }), '127.0.0.2')
      .run('cat; echo done', opts);
    assert.equal(result.timedOut, false);
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, 'done\n');
  });

  test(`each stream is cut to OUTPUT_CAPTURE_BYTES (${mode})`, async () => {
    const executor = newPool().forHost(sshd.settings({ runner }), '127.0.0.3');
    const result = await executor.run(
      'head -c 20000 /dev/zero | tr "\\0" a; head -c 9000 /dev/zero | tr "\\0" b >&2',
      opts,
    );
    assert.equal(result.exitCode, 0);
    assert.ok(result.stdout.startsWith('a'.repeat(OUTPUT_CAPTURE_BYTES)));
    assert.ok(result.stdout.length < OUTPUT_CAPTURE_BYTES + 100, 'stdout is cut');
    assert.ok(result.stderr.startsWith('b'.repeat(OUTPUT_CAPTURE_BYTES)), 'the PGID marker is not counted');
    assert.ok(result.stderr.length < OUTPUT_CAPTURE_BYTES + 100, 'stderr is cut');
  });

  test(`a command is done when its shell exits, even if a daemon it started keeps stdout open (${mode})`, async () => {
    const executor = newPool().forHost(sshd.settings({ runner }), '127.0.0.2');
    const seconds = 300 + Math.floor(Math.random() * 600);
    const result = await executor.run(`sleep ${seconds} & echo $!`, opts);
    assert.equal(result.timedOut, false);
    assert.equal(result.exitCode, 0);
    const pid = Number(result.stdout.trim());
    assert.ok(pid > 0);
    const alive = await executor.run(`kill -0 ${pid} && kill ${pid}`, opts);
    assert.equal(alive.exitCode, 0, 'the started daemon survives the end of the command');
  });

  test(`a hung remote command is killed on the remote side at the timeout (${mode})`, async () => {
    const seconds = 300 + Math.floor(Math.random() * 600);
    const result = await newPool()
      .forHost(sshd.settings({ runner }), '127.0.0.2')
      .run(`sleep ${seconds}`, { timeoutMs: 1000 });
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.equal(result.transportError, null);
    const pattern = `[s]leep ${seconds}`;
    const check = await newPool()
      .forHost(sshd.settings({ runner }), '127.0.0.3')
      .run(`ps -eo args | grep -c '${pattern}'`, opts);
    assert.equal(check.stdout.trim(), '0', `a remote 'sleep ${seconds}' survived the timeout`);
  });

  test(`50 concurrent commands on one host all succeed (past MaxSessions 10) (${mode})`, async () => {
    const executor = newPool().forHost(sshd.settings({ runner }), '127.0.0.3');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => executor.run(`echo ${i}; exit ${i % 3}`, opts)),
    );
    results.forEach((result, i) => {
      assert.equal(result.transportError, null, `command ${i}: ${result.transportError}`);
      assert.equal(result.exitCode, i % 3);
      assert.equal(result.stdout, `${i}\n`);
    });
  });

  test(`sequential commands reuse one connection (${mode})`, async () => {
    const pool = newPool();
    const executor = pool.forHost(sshd.settings({ runner }), '127.0.0.2');
    assert.equal(
      pool.forHost(sshd.settings({ runner }), '127.0.0.2'),
      executor,
      'the pool caches per user@host:port',
    );
    const loginsBefore = sshd.acceptedLogins();
    for (let i = 0; i < 20; i++) assert.equal((await executor.run('exit 1', opts)).exitCode, 1);
    assert.equal(sshd.acceptedLogins() - loginsBefore, 1);
  });
}

test('a changed host key is a transport error and the command never runs', async () => {
  const knownHostsFile = path.join(sshd.dir, 'known_hosts.other');
  const otherKey = generateKey(path.join(sshd.dir, 'other_host_key'));
  writeFileSync(knownHostsFile, `[127.0.0.2]:${sshd.port} ${otherKey}\n`);
  const marker = path.join(sshd.dir, 'ran-despite-mismatch');
  const executor = newPool().forHost(sshd.settings({ knownHostsFile }), '127.0.0.2');
  const result = await executor.run(`touch ${marker}`, opts);
  assert.match(
    result.transportError ?? '',
    /^host key mismatch: \[127\.0\.0\.2\]:\d+ offered ssh-ed25519 SHA256:/,
  );
  assert.equal(result.exitCode, null);
  assert.equal(existsSync(marker), false);
});

test('a host missing from known_hosts is an unknown host key error', async () => {
  const knownHostsFile = path.join(sshd.dir, 'known_hosts.only-3');
  writeFileSync(knownHostsFile, `[127.0.0.3]:${sshd.port} ${sshd.hostPublicKey}\n`);
  const executor = newPool().forHost(sshd.settings({ knownHostsFile }), '127.0.0.2');
  const result = await executor.run('exit 1', opts);
  assert.match(result.transportError ?? '', /^unknown host key: \[127\.0\.0\.2\]:\d+ is not in known_hosts/);
  const missing = newPool().forHost(
    sshd.settings({ knownHostsFile: path.join(sshd.dir, 'nope') }),
    '127.0.0.2',
  );
  assert.match((await missing.run('exit 1', opts)).transportError ?? '', /^unknown host key/);
});

test('hashed known_hosts entries (ssh-keygen -H) verify', async () => {
  const knownHostsFile = path.join(sshd.dir, 'known_hosts.hashed');
  copyFileSync(sshd.knownHostsFile, knownHostsFile);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHostsFile], { stdio: 'ignore' });
  const result = await newPool().forHost(sshd.settings({ knownHostsFile }), '127.0.0.3').run('exit 2', opts);
  assert.equal(result.transportError, null);
  assert.equal(result.exitCode, 2);
});

test('turning host key verification off works and warns on every connect', async () => {
  const warnings: string[] = [];
  const knownHostsFile = path.join(sshd.dir, 'empty_known_hosts');
  writeFileSync(knownHostsFile, '');
  const executor = newPool(warnings).forHost(
    sshd.settings({ knownHostsFile, verifyHostKey: false }),
    '127.0.0.2',
  );
  assert.equal((await executor.run('exit 1', opts)).exitCode, 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /host key of .*@127\.0\.0\.2:\d+ NOT verified \(ssh_verify_host_key = false\)/);
});

test('a key the server does not accept is an authentication failure', async () => {
  const wrongKey = path.join(sshd.dir, 'wrong_client_key');
  if (!existsSync(wrongKey)) generateKey(wrongKey);
  const result = await newPool()
    .forHost(sshd.settings({ keyFile: wrongKey }), '127.0.0.2')
    .run('exit 1', opts);
  assert.equal(result.transportError, 'authentication failed');
  const missing = path.join(sshd.dir, 'no_such_key');
  const noKey = await newPool()
    .forHost(sshd.settings({ keyFile: missing }), '127.0.0.2')
    .run('exit 1', opts);
  assert.match(noKey.transportError ?? '', /^no ssh credentials: cannot read ssh_key .*no_such_key/);
});

test('slots held by slow commands open another connection', async () => {
  const pool = newPool();
  const executor = pool.forHost(sshd.settings({ runner: false }), '127.0.0.3') as SshExecutor;
  const slow = await Promise.all(Array.from({ length: 5 }, () => executor.run('sleep 0.6; exit 1', opts)));
  assert.deepEqual(
    slow.map((r) => r.exitCode),
    [1, 1, 1, 1, 1],
  );
  assert.equal(executor.connectionCount, 2, 'the fifth command waited past the stall, then got a connection');
});
