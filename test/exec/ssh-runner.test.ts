/**
 * The remote runner (issue 14) against a real throwaway sshd: commands go over
 * one channel, timeouts kill the remote group, output is captured, a dropped
 * connection is replaced, a command held up by a frozen host is not run when it
 * thaws — with the Python runner (a host with python3) and
 * the Perl one (a host whose PATH has perl but no python3) — and a host with
 * neither falls back to one exec channel per command.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SshExecutor } from '../../src/exec/ssh-executor.js';
import { RUNNER_SLOTS } from '../../src/exec/ssh-runner.js';
import type { RunnerClock } from '../../src/exec/runner-clock.js';
import { performance } from 'node:perf_hooks';
import { descendantsOf, signalAll, startTestSshd, type TestSshd } from '../helpers/sshd.js';
import { poolMaker } from '../helpers/ssh-pools.js';
import { ensurePython3 } from '../helpers/debian-package.js';

ensurePython3();

let sshd: TestSshd;
let perlOnly: TestSshd;
let noPerl: TestSshd;
const { newPool, closeAll } = poolMaker();
const opts = { timeoutMs: 10_000 };

/** A `sleep` argument no other test uses, so `ps` finds only ours. */
function uniqueSeconds(): number {
  return 300 + Math.floor(Math.random() * 600) + process.pid;
}

/** Commands whose command line contains TEXT, seen through EXECUTOR (the bracket trick hides the grep itself). */
async function countRemote(executor: SshExecutor, text: string): Promise<number> {
  const pattern = `[${text[0]}]${text.slice(1)}`;
  const result = await executor.run(`ps -eo args | grep -c '${pattern}'; true`, opts);
  return Number(result.stdout.trim());
}

/** Polls COUNT until it returns 0 (or the time is up); returns the last count. */
async function waitForNone(count: () => Promise<number>, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  let n = await count();
  while (n > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    n = await count();
  }
  return n;
}

/** A directory of links to TOOLS in /usr/bin, for a host's PATH. */
function binWith(dir: string, name: string, tools: string[]): string {
  const bin = path.join(dir, name);
  mkdirSync(bin);
  for (const tool of tools) symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
  return bin;
}

before(async () => {
  sshd = await startTestSshd({ addresses: ['127.0.0.8'] });
  // Hosts whose PATH has a shell and the tools the tests and the exec-channel wrapper use, and
  // perl but no python3, or neither.
  const tools = [
    'sh',
    'bash',
    'timeout',
    'kill',
    'echo',
    'true',
    'sleep',
    'ps',
    'grep',
    'sed',
    'yes',
    'head',
  ];
  const perlBin = binWith(sshd.dir, 'bin-perl-only', [...tools, 'perl']);
  const bareBin = binWith(sshd.dir, 'bin-without-perl', tools);
  perlOnly = await startTestSshd({ addresses: ['127.0.0.8'], setEnv: [`PATH=${perlBin}`] });
  noPerl = await startTestSshd({ addresses: ['127.0.0.8'], setEnv: [`PATH=${bareBin}`] });
});

after(async () => {
  await closeAll();
  await noPerl?.dispose();
  await perlOnly?.dispose();
  await sshd?.dispose();
});

// The same behaviour from both runner programs.
for (const program of ['python', 'perl']) {
  const server = (): TestSshd => (program === 'python' ? sshd : perlOnly);

  test(`commands go through one runner: one login, one sshd session for many commands (${program})`, async () => {
    const executor = newPool().forHost(server().settings(), '127.0.0.8') as SshExecutor;
    const [logins, sessions] = [server().acceptedLogins(), server().startedSessions()];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        executor.run(`echo out${i}; echo err${i} >&2; exit ${i % 4}`, opts),
      ),
    );
    results.forEach((result, i) => {
      assert.equal(result.transportError, null, `command ${i}: ${result.transportError}`);
      assert.equal(result.exitCode, i % 4);
      assert.equal(result.stdout, `out${i}\n`);
      assert.equal(result.stderr, `err${i}\n`);
    });
    assert.equal(executor.runnerProgram, program);
    assert.equal(server().acceptedLogins() - logins, 1);
    assert.equal(server().startedSessions() - sessions, 1, 'one session (the runner) for 40 commands');
    const env = await executor.run('echo "$HV_A/$HV_B"', { ...opts, env: { HV_A: "it's", HV_B: 'x y' } });
    assert.equal(env.stdout, "it's/x y\n");
    // SIGPIPE (13) and SIGXFSZ (25) are not ignored (the runners ignore the one, Python the other),
    // as for a login's commands, and the environment is the login's (no locale Python coerced).
    const ignored = await executor.run('sed -n "s/^SigIgn:[[:space:]]*//p" /proc/$$/status', opts);
    const mask = (1n << 12n) | (1n << 24n);
    assert.equal(BigInt(`0x${ignored.stdout.trim()}`) & mask, 0n, `SigIgn ${ignored.stdout}`);
    assert.equal((await executor.run('yes | head -n 1', opts)).stdout, 'y\n');
    assert.equal((await executor.run('echo "${LC_CTYPE-unset}"', opts)).stdout, 'unset\n');
    const badEnv = await executor.run('true', { ...opts, env: { 'A;B': 'x' } });
    assert.equal(badEnv.exitCode, null);
    assert.match(badEnv.stderr, /environment variable name "A;B" is not valid/);
  });

  test(`more commands than RUNNER_SLOTS wait for a slot, on the same runner (${program})`, async () => {
    const executor = newPool().forHost(server().settings(), '127.0.0.8') as SshExecutor;
    assert.equal((await executor.run('true', opts)).exitCode, 0);
    const sessions = server().startedSessions();
    const count = RUNNER_SLOTS + 44;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) => executor.run(`sleep 0.5; echo ${i}`, opts)),
    );
    results.forEach((result, i) => {
      assert.equal(result.transportError, null, `command ${i}: ${result.transportError}`);
      assert.equal(result.stdout, `${i}\n`);
    });
    assert.equal(server().startedSessions() - sessions, 0, 'no exec channel for the overflow');
  });

  test(`a timed-out command: its whole remote group is killed, output so far is kept (${program})`, async () => {
    const executor = newPool().forHost(server().settings(), '127.0.0.8') as SshExecutor;
    const seconds = uniqueSeconds();
    const result = await executor.run(`echo before; sleep ${seconds} & sleep ${seconds}; echo never`, {
      timeoutMs: 1000,
    });
    assert.equal(executor.usesRunner, true);
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.transportError, null);
    assert.equal(result.stdout, 'before\n');
    assert.equal(await waitForNone(() => countRemote(executor, `sleep ${seconds}`), 5000), 0);
  });

  test(`a command is done when its shell exits, even if a daemon it started keeps stdout open (${program})`, async () => {
    const executor = newPool().forHost(server().settings(), '127.0.0.8') as SshExecutor;
    const result = await executor.run(`sleep ${uniqueSeconds()} & echo $!`, opts);
    assert.equal(result.timedOut, false);
    assert.equal(result.exitCode, 0);
    const pid = Number(result.stdout.trim());
    assert.equal((await executor.run(`kill -0 ${pid} && kill ${pid}`, opts)).exitCode, 0);
    assert.equal(executor.usesRunner, true);
  });

  test(`a command held up by a frozen host is not run when it thaws; the late arrival is logged (${program})`, async () => {
    const warnings: string[] = [];
    const executor = newPool(warnings).forHost(server().settings(), '127.0.0.8') as SshExecutor;
    assert.equal((await executor.run('true', opts)).exitCode, 0);
    assert.equal(executor.runnerProgram, program);
    // Freeze the sshd processes serving our connection and the runner (not the listener).
    const frozen = descendantsOf(server().pid!);
    const marker = path.join(server().dir, `late-${program}-${uniqueSeconds()}`);
    try {
      signalAll(frozen, 'SIGSTOP');
      const late = await executor.run(`: > ${marker}`, { timeoutMs: 500 });
      assert.equal(late.timedOut, true);
      await new Promise((resolve) => setTimeout(resolve, 300)); // past its timeout: late
    } finally {
      signalAll(frozen, 'SIGCONT');
    }
    const deadline = Date.now() + 10_000;
    while (!warnings.some((w) => w.includes(marker)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const said = warnings.find((w) => w.includes(marker));
    assert.ok(said, `the late arrival is logged: ${JSON.stringify(warnings)}`);
    assert.match(said, /reached \S*127\.0\.0\.8\S* \d+ ms after its timeout .* was not run there/);
    // The runner answers in order: once a later command is done, the held-up one would have run.
    assert.equal((await executor.run('true', opts)).exitCode, 0, 'the runner goes on serving');
    assert.equal(existsSync(marker), false, 'the held-up command did not run');
    // The same command sent now, to the live host, runs.
    assert.equal((await executor.run(`: > ${marker}`, opts)).exitCode, 0);
    assert.equal(existsSync(marker), true);
  });

  test(`a runner that calls a command late while we still wait for it (our clock stood still): it runs after all (${program})`, async () => {
    const executor = newPool().forHost(server().settings(), '127.0.0.8') as SshExecutor;
    assert.equal((await executor.run('true', opts)).exitCode, 0);
    // As if this machine had been suspended 100 s: our bound on the runner's clock is now 100 s short.
    const runner = (executor as unknown as { runner: { clock: RunnerClock } }).runner;
    runner.clock.observe(performance.now(), performance.now() - 100_000);
    const result = await executor.run('echo ran', opts);
    assert.equal(result.exitCode, 0, `${result.stderr} ${result.transportError}`);
    assert.equal(result.stdout, 'ran\n');
    assert.equal((await executor.run('echo again', opts)).stdout, 'again\n', 'the next command runs at once');
  });

  test(`a dropped connection: the command in flight is a transport error, the next one reconnects (${program})`, async () => {
    const executor = newPool().forHost(server().settings(), '127.0.0.8') as SshExecutor;
    assert.equal((await executor.run('exit 1', opts)).exitCode, 1);
    const logins = server().acceptedLogins();
    const seconds = uniqueSeconds();
    const inFlight = executor.run(`sleep ${seconds}`, { timeoutMs: 3000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Kill the sshd processes serving our connection (not the listener): the link is gone.
    signalAll(
      descendantsOf(server().pid!).filter((pid) => commOf(pid).startsWith('sshd')),
      'SIGKILL',
    );
    const lost = await inFlight;
    assert.match(lost.transportError ?? '', /^connection lost/);
    assert.equal(lost.exitCode, null);
    const back = await executor.run('echo back; exit 2', opts);
    assert.equal(back.transportError, null, back.transportError ?? '');
    assert.equal(back.exitCode, 2);
    assert.equal(back.stdout, 'back\n');
    assert.equal(executor.usesRunner, true);
    assert.equal(server().acceptedLogins() - logins, 1, 'one new login');
    // The old runner, cut off, still ends the command at its timeout.
    assert.equal(await waitForNone(() => countRemote(executor, `sleep ${seconds}`), 8000), 0);
  });
}

test('a host without perl or python3: a warning, then one exec channel per command, with the same results', async () => {
  const warnings: string[] = [];
  const executor = newPool(warnings).forHost(noPerl.settings(), '127.0.0.8') as SshExecutor;
  const sessions = noPerl.startedSessions();
  for (const code of [0, 1, 2]) {
    const result = await executor.run(`echo out${code}; echo err${code} >&2; exit ${code}`, opts);
    assert.equal(result.transportError, null, result.transportError ?? '');
    assert.equal(result.exitCode, code);
    assert.equal(result.stdout, `out${code}\n`);
    assert.equal(result.stderr, `err${code}\n`);
  }
  assert.equal(executor.usesRunner, false);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(
    warnings[0]!,
    /no remote runner on .*@127\.0\.0\.8:\d+ \(it exited with 127 .*perl.*not found/,
  );
  assert.equal(noPerl.startedSessions() - sessions, 4, 'the runner attempt, then a session per command');
  const seconds = uniqueSeconds();
  const hung = await executor.run(`sleep ${seconds}`, { timeoutMs: 1000 });
  assert.equal(hung.timedOut, true);
  assert.equal(await waitForNone(() => countRemote(executor, `sleep ${seconds}`), 5000), 0);
});

test('a ForceCommand: the runner never greets (it exits, or stays silent past connect_timeout), commands take channels', async () => {
  const exits = await startTestSshd({
    addresses: ['127.0.0.8'],
    extraConfig: ['ForceCommand echo restricted'],
  });
  const silent = await startTestSshd({ addresses: ['127.0.0.8'], extraConfig: ['ForceCommand sleep 4'] });
  try {
    const warnings: string[] = [];
    const quick = newPool(warnings).forHost(exits.settings(), '127.0.0.8') as SshExecutor;
    const said = await quick.run('exit 3', opts);
    assert.equal(said.stdout, 'restricted\n', 'the forced command ran instead, on a channel of its own');
    assert.equal(quick.usesRunner, false);
    assert.match(warnings.join('\n'), /no remote runner on .*\(it exited with 0 \(restricted\)\)/);
    const slowWarnings: string[] = [];
    const settings = silent.settings({ connectTimeoutMs: 1500 });
    const slow = newPool(slowWarnings).forHost(settings, '127.0.0.8') as SshExecutor;
    const result = await slow.run('exit 3', opts);
    assert.equal(result.exitCode, 0, 'sleep 4 ran on a channel of its own');
    assert.equal(slow.usesRunner, false);
    assert.match(slowWarnings.join('\n'), /no remote runner on .*\(it did not greet within 1500 ms\)/);
  } finally {
    await exits.dispose();
    await silent.dispose();
  }
});

test('ssh_runner = no: one exec channel per command, no runner tried', async () => {
  const warnings: string[] = [];
  const executor = newPool(warnings).forHost(sshd.settings({ runner: false }), '127.0.0.8') as SshExecutor;
  const sessions = sshd.startedSessions();
  for (let i = 0; i < 3; i++) assert.equal((await executor.run('exit 1', opts)).exitCode, 1);
  assert.equal(executor.usesRunner, false);
  assert.equal(sshd.startedSessions() - sessions, 3);
  assert.deepEqual(warnings, []);
});

/** The command name of PID ('' once it ended). */
function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
