import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { LockHeldError } from '../../src/errors.js';
import { acquirePassLock, readPassLockHolder } from '../../src/state/pass-lock.js';
import { selfIdentity } from '../../src/state/process-identity.js';
import { spawnHelper, type Child } from './helpers/spawn-child.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'hv-pass-lock-'));
after(() => rm(tmp, { recursive: true, force: true }));
let seq = 0;

/** A lock path in a fresh directory. */
async function lockPath(): Promise<string> {
  const dir = await mkdtemp(path.join(tmp, `l${seq++}-`));
  return path.join(dir, 'pass.lock');
}

/** Asserts that `promise` rejects with LockHeldError naming `pid`. */
async function assertHeldBy(promise: Promise<unknown>, pid: number, lock: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LockHeldError);
    assert.equal(error.exitCode, 3);
    assert.equal(error.holderPid, pid);
    assert.match(
      error.message,
      new RegExp(
        `another ha-valet pass holds the lock ${lock} \\(pid ${pid}, since \\d\\d:\\d\\d:\\d\\dZ\\)`,
      ),
    );
    return true;
  });
}

/** Starts `n` contenders that all try at the same moment; resolves with their first lines. */
async function race(lock: string, n: number): Promise<{ children: Child[]; lines: string[] }> {
  const goAt = String(Date.now() + 400);
  const children = Array.from({ length: n }, () => spawnHelper('lock-contender', [lock, goAt]));
  const lines = await Promise.all(children.map((c) => c.firstLine));
  return { children, lines };
}

/** Kills every child still running and waits for them. */
async function killAll(children: Child[]): Promise<void> {
  for (const c of children)
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
}

test('a second holder gets LockHeldError naming the PID; release frees the lock', async () => {
  const lock = await lockPath();
  const first = await acquirePassLock(lock);
  await assertHeldBy(acquirePassLock(lock), process.pid, lock);
  assert.equal((await readPassLockHolder(lock))?.pid, process.pid);
  await first.release();
  assert.equal(await readPassLockHolder(lock), null);
  const second = await acquirePassLock(lock);
  await second.release();
  assert.ok((await readdir(path.dirname(lock))).length <= 1, 'superseded generations are cleaned up');
});

test('two processes racing for the lock: exactly one wins, the other is told its PID', async () => {
  for (let round = 0; round < 3; round += 1) {
    const lock = await lockPath();
    const { children, lines } = await race(lock, 2);
    try {
      const winners = lines.filter((l) => l.startsWith('won '));
      assert.equal(winners.length, 1, lines.join('\n'));
      const winnerPid = Number(winners[0]!.slice(4));
      const loser = lines.find((l) => l.startsWith('held '));
      assert.match(loser ?? '', new RegExp(`holds the lock ${lock} \\(pid ${winnerPid}, since`));
      const loserChild = children[lines.indexOf(loser!)]!;
      assert.equal(await loserChild.exited, 3);
    } finally {
      await killAll(children);
    }
  }
});

test('a lock left by a SIGKILLed holder is recovered, and by exactly one of several racing recoverers', async () => {
  for (let round = 0; round < 3; round += 1) {
    const lock = await lockPath();
    const holder = spawnHelper('lock-contender', [lock]);
    assert.match(await holder.firstLine, /^won /);
    await assertHeldBy(acquirePassLock(lock), holder.proc.pid!, lock);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    assert.equal(await readPassLockHolder(lock), null, 'a dead holder does not hold');
    const { children, lines } = await race(lock, 4);
    try {
      assert.equal(lines.filter((l) => l.startsWith('won ')).length, 1, lines.join('\n'));
      assert.equal(lines.filter((l) => l.startsWith('held ')).length, 3, lines.join('\n'));
    } finally {
      await killAll(children);
    }
  }
  const lock = await lockPath();
  const holder = spawnHelper('lock-contender', [lock]);
  await holder.firstLine;
  holder.proc.kill('SIGKILL');
  await holder.exited;
  const mine = await acquirePassLock(lock);
  await mine.release();
});

test('a reused PID (same PID, other start time) does not hold the lock', async () => {
  const lock = await lockPath();
  const me = selfIdentity();
  const record = {
    ...me,
    startTime: me.startTime === null ? null : `${me.startTime}1`,
    acquiredAt: Date.now(),
    nonce: 'x',
  };
  await writeFile(`${lock}.7`, JSON.stringify(record));
  if (me.startTime === null) {
    await assertHeldBy(acquirePassLock(lock), process.pid, lock); // no /proc: PID alone decides
    return;
  }
  const taken = await acquirePassLock(lock);
  assert.deepEqual((await readdir(path.dirname(lock))).sort(), ['pass.lock.8']);
  await taken.release();
  assert.match(await readFile(`${lock}.8`, 'utf8'), /"released":true/);
});

test('a holder on another host is never taken over; the message says how to clear it', async () => {
  const lock = await lockPath();
  const record = {
    pid: 4242,
    startTime: '1',
    bootId: null,
    hostname: 'elsewhere',
    acquiredAt: Date.now(),
    nonce: 'y',
  };
  await writeFile(`${lock}.1`, JSON.stringify(record));
  await assert.rejects(
    acquirePassLock(lock),
    /pid 4242, since .*\) on host elsewhere; if that host no longer runs ha-valet, delete .*pass\.lock\.1/,
  );
});

test('an unreadable lock record is treated as stale', async () => {
  const lock = await lockPath();
  await writeFile(`${lock}.3`, '{"pid": 1');
  const taken = await acquirePassLock(lock);
  assert.equal((await readPassLockHolder(lock))?.nonce, taken.record.nonce);
  await taken.release();
});
