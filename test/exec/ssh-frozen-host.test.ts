/**
 * A host that stops answering mid-connection (a cut link, a frozen machine): a
 * command's channel is never confirmed, and the executor reports the timeout at
 * the timeout, instead of also waiting for a remote kill that cannot arrive.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLOSE_WAIT_AFTER_KILL_MS } from '../../src/exec/ssh-run.js';
import { SshExecutorPool } from '../../src/exec/ssh-pool.js';
import { descendantsOf, signalAll, startTestSshd, type TestSshd } from '../helpers/sshd.js';

let sshd: TestSshd;
const pool = new SshExecutorPool({ warn: () => {} });
let frozen: number[] = [];

before(async () => {
  sshd = await startTestSshd({ addresses: ['127.0.0.2'] });
});

after(async () => {
  signalAll(frozen, 'SIGCONT');
  await pool.closeAll();
  await sshd.dispose();
});

// Through the remote runner (a command it never confirmed) and through an exec channel (never opened).
for (const runner of [true, false]) {
  const mode = runner ? 'remote runner' : 'exec channel per command';
  test(`a frozen host: the timeout is reported at the timeout, not CLOSE_WAIT_AFTER_KILL_MS later (${mode})`, async () => {
    const executor = pool.forHost(sshd.settings({ runner }), '127.0.0.2');
    const first = await executor.run('true', { timeoutMs: 10_000 });
    assert.equal(first.exitCode, 0, first.transportError ?? first.stderr);
    // Freeze the sshd processes serving our connection (not the listener): nothing is confirmed any more.
    frozen = descendantsOf(sshd.pid!);
    assert.ok(frozen.length > 0, 'the connection has its own sshd process');
    signalAll(frozen, 'SIGSTOP');
    const result = await executor.run('true', { timeoutMs: 500 });
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.ok(
      result.durationMs < 500 + CLOSE_WAIT_AFTER_KILL_MS - 1000,
      `took ${result.durationMs} ms: waited for a kill that cannot arrive`,
    );
    signalAll(frozen, 'SIGCONT');
  });
}
