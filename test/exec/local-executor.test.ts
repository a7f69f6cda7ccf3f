/** The local executor: exit codes as data, output captured whole, done when the shell exits. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTPUT_CAPTURE_BYTES } from '../../src/exec/executor.js';
import { LocalExecutor } from '../../src/exec/local-executor.js';

const local = new LocalExecutor('localhost');

test('output written right before the exit is captured whole, on both streams', async () => {
  const bytes = Math.min(60_000, OUTPUT_CAPTURE_BYTES - 1);
  const result = await local.run(
    `head -c ${bytes} /dev/zero | tr '\\0' o; head -c ${bytes} /dev/zero | tr '\\0' e >&2; exit 3`,
    {
      timeoutMs: 10_000,
    },
  );
  assert.equal(result.exitCode, 3);
  assert.equal(result.stdout, 'o'.repeat(bytes));
  assert.equal(result.stderr, 'e'.repeat(bytes));
});

test('a command that leaves a daemon holding its stdout returns when its shell exits', async () => {
  const result = await local.run('sleep 30 & echo $!', { timeoutMs: 60_000 });
  const daemon = Number(result.stdout.trim());
  try {
    assert.equal(result.exitCode, 0);
    assert.equal(result.timedOut, false);
    // Returned while the daemon, which still holds the stdout pipe, runs on.
    assert.doesNotThrow(() => process.kill(daemon, 0));
  } finally {
    process.kill(daemon, 'SIGKILL');
  }
});

test('a timeout kills the whole process group and says so', async () => {
  const result = await local.run('sleep 30', { timeoutMs: 200 });
  assert.equal(result.timedOut, true);
  assert.equal(result.exitCode, null);
  assert.equal(result.signal, 'SIGKILL');
});
