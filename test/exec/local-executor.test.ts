/**
 * The local executor through each spawner (the Python helper, the Perl helper,
 * Node itself): exit codes as data, output captured whole, done when the shell
 * exits, a timeout kills the whole group, the shell starts with SIGPIPE at its
 * default.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { OUTPUT_CAPTURE_BYTES } from '../../src/exec/executor.js';
import { runBounded } from '../../src/probe/probe.js';
import { chooseSpawnHelper, SPAWN_KINDS } from '../../src/exec/choose-spawn-helper.js';
import { LocalExecutor, spawnMode } from '../../src/exec/local-executor.js';
import { SpawnHelperPool } from '../../src/exec/spawn-helper.js';
import { isAlive } from '../helpers/demo-env.js';
import { ensurePython3 } from '../helpers/debian-package.js';

ensurePython3();

const local = new LocalExecutor('localhost');

const NAMES = { python: 'through the Python helper', perl: 'through the Perl helper', direct: 'directly' };

for (const mode of SPAWN_KINDS) {
  describe(`spawned ${NAMES[mode]}`, () => {
    /** Runs `command` in this mode. */
    const run = (command: string, timeoutMs: number) => {
      process.env.HA_VALET_SPAWN = mode;
      try {
        assert.equal(spawnMode(), mode);
        return local.run(command, { timeoutMs });
      } finally {
        delete process.env.HA_VALET_SPAWN;
      }
    };

    test('output written right before the exit is captured whole, on both streams', async () => {
      const bytes = Math.min(60_000, OUTPUT_CAPTURE_BYTES - 1);
      const result = await run(
        `head -c ${bytes} /dev/zero | tr '\\0' o; head -c ${bytes} /dev/zero | tr '\\0' e >&2; exit 3`,
        10_000,
      );
      assert.equal(result.exitCode, 3);
      assert.equal(result.stdout, 'o'.repeat(bytes));
      assert.equal(result.stderr, 'e'.repeat(bytes));
    });

    test('output past the cap is cut and marked', async () => {
      const result = await run(`head -c ${OUTPUT_CAPTURE_BYTES * 3} /dev/zero | tr '\\0' o`, 10_000);
      assert.equal(
        result.stdout,
        `${'o'.repeat(OUTPUT_CAPTURE_BYTES)}\n[output cut at ${OUTPUT_CAPTURE_BYTES} bytes]`,
      );
    });

    test('a command that leaves a daemon holding its stdout returns when its shell exits', async () => {
      const result = await run('sleep 30.5 & echo $!', 60_000);
      const daemon = Number(result.stdout.trim());
      try {
        assert.equal(result.exitCode, 0);
        assert.equal(result.timedOut, false);
        // Returned while the daemon, which still holds the stdout pipe, runs on.
        assert.ok(isAlive(daemon));
      } finally {
        process.kill(daemon, 'SIGKILL');
      }
    });

    test('a timeout kills the whole process group and says so', async () => {
      const result = await run('sleep 30.25 & echo $! >&2; sleep 30.25', 300);
      assert.equal(result.timedOut, true);
      assert.equal(result.exitCode, null);
      assert.equal(result.signal, 'SIGKILL');
      const background = Number(result.stderr.trim());
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(isAlive(background), false, 'the backgrounded child died with its group');
    });

    test('a shell killed by a signal reports it; a missing program exits 127', async () => {
      const killed = await run('kill -TERM $$', 10_000);
      assert.equal(killed.exitCode, null);
      assert.equal(killed.signal, 'SIGTERM');
      assert.equal((await run('/nonexistent/program', 10_000)).exitCode, 127);
    });

    test('exit codes come back as they are, also from commands run side by side', async () => {
      const codes = [0, 1, 2, 42, 123, 124, 126, 255];
      const results = await Promise.all(codes.map((code) => run(`exit ${code}`, 10_000)));
      assert.deepEqual(
        results.map((r) => r.exitCode),
        codes,
      );
      assert.ok(results.every((r) => r.signal === null && !r.timedOut && r.transportError === null));
    });

    test('a burst past one helper’s slots: every command’s output and exit code come back whole', async () => {
      const commands = Array.from({ length: 600 }, (_, i) => i);
      const results = await runBounded(
        commands.map((i) => () => run(`echo out${i}; echo err${i} >&2; exit ${i % 100}`, 60_000)),
        300,
      );
      const wrong = results.flatMap((r, i) =>
        r.exitCode === i % 100 && r.stdout === `out${i}\n` && r.stderr === `err${i}\n`
          ? []
          : [`${i}: exit ${r.exitCode} signal ${r.signal} out ${JSON.stringify(r.stdout)}`],
      );
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${commands.length} wrong`);
    });

    test('the shell starts with SIGPIPE at its default, stdin empty, in a session of its own', async () => {
      const result = await run(
        `(yes; echo "yes ended $?" >&2) | head -c 1 >/dev/null; cat; ps -o sid= -o pgid= -p $$`,
        10_000,
      );
      assert.equal(result.stderr.trim(), 'yes ended 141', 'yes was killed by SIGPIPE (128 + 13)');
      const [sid, pgid] = result.stdout.trim().split(/\s+/).map(Number);
      assert.ok(sid && sid !== process.pid && sid === pgid, `own session and group: ${result.stdout}`);
    });
  });
}

test('the Python helper hands the shell its environment as given, without Python’s C-locale coercion', async () => {
  const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE };
  process.env.LANG = 'C';
  delete process.env.LC_ALL;
  delete process.env.LC_CTYPE;
  process.env.HV_SPAWN_MARK = 'as-given';
  const python = chooseSpawnHelper({ requested: 'python' });
  assert.equal(python?.kind, 'python');
  const pool = new SpawnHelperPool(python); // started now, under the C locale
  try {
    const result = await pool.run('echo "${LC_CTYPE-unset} $LANG $HV_SPAWN_MARK"', 10_000);
    assert.equal(result.stdout.trim(), 'unset C as-given');
  } finally {
    pool.close();
    delete process.env.HV_SPAWN_MARK;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});

for (const kind of ['python', 'perl'] as const) {
  test(`the ${kind} helper exits when the watcher closes it, leaving commands in flight running`, async () => {
    const program = chooseSpawnHelper({ requested: kind });
    assert.equal(program?.kind, kind);
    const pool = new SpawnHelperPool(program);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-helper-exit-'));
    const pidFile = path.join(dir, 'pid');
    let shell = 0;
    try {
      await pool.run('true', 10_000); // the helper is up
      const [helper] = pool.pids();
      const inFlight = pool.run(`echo $$ > ${pidFile}; exec sleep 30.125`, 60_000);
      while (!shell) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        shell = Number(readFileSafe(pidFile)) || 0;
      }
      pool.close();
      const answer = await inFlight;
      assert.match(answer.transportError ?? '', /spawn helper ended/, 'the watcher is told the helper went');
      assert.equal(isAlive(helper!), false, 'the helper exited');
      assert.ok(isAlive(shell), 'the command it started runs on');
    } finally {
      if (shell) process.kill(shell, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A file's text, or '' while it does not exist yet. */
function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
