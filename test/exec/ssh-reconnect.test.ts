/** Unreachable hosts and reconnects: a stopped sshd, a restarted one, a server that never answers. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { SshExecutorPool } from '../../src/exec/ssh-pool.js';
import { findFreePort, startTestSshd, type TestSshd } from '../helpers/sshd.js';

let sshd: TestSshd;
const pool = new SshExecutorPool({ warn: () => {} });
const opts = { timeoutMs: 10_000 };

before(async () => {
  sshd = await startTestSshd({ addresses: ['127.0.0.4'] });
});

after(async () => {
  await pool.closeAll();
  await sshd.dispose();
});

for (const runner of [false, true]) {
  const mode = runner ? 'remote runner' : 'exec channel per command';
  test(`a stopped sshd is connection refused; after a restart the executor reconnects (${mode})`, async () => {
    const executor = pool.forHost(sshd.settings({ runner }), '127.0.0.4');
    assert.equal((await executor.run('exit 1', opts)).exitCode, 1);
    await sshd.stop();
    if (runner) {
      // A command handed to the runner just before its connection's end is seen may have run,
      // so it is never sent again: 'connection lost' (unreachable, as refused is) when that race is hit.
      const first = await executor.run('exit 1', opts);
      assert.match(first.transportError ?? '', /^(connection refused$|connection lost)/);
    }
    const down = await executor.run('exit 1', opts);
    assert.equal(down.transportError, 'connection refused');
    assert.equal(down.exitCode, null);
    await sshd.start();
    const back = await executor.run('exit 2', opts);
    assert.equal(back.transportError, null);
    assert.equal(back.exitCode, 2);
  });
}

test('a server that accepts but never speaks SSH is a connect timeout', async () => {
  const silent = net.createServer(() => {});
  const port = await findFreePort('127.0.0.5');
  await new Promise<void>((resolve) => silent.listen(port, '127.0.0.5', resolve));
  try {
    const settings = sshd.settings({ port, connectTimeoutMs: 400 });
    const result = await pool.forHost(settings, '127.0.0.5').run('exit 1', opts);
    assert.equal(result.transportError, 'connect timed out after 400 ms');
  } finally {
    silent.close();
  }
});
