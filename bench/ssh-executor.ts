/**
 * Benchmark: 1,000 `exit 1` test commands over 10 loopback "hosts" of one
 * throwaway sshd, three ways, side by side:
 *   pooled   — SshExecutorPool (persistent node-ssh connections), twice on
 *              one pool: cold (its batch opens the 10 connections and warms
 *              the JIT, once per watch run) and warm (connections open, as
 *              every later check of a watch run finds them),
 *   floor    — the same remote command line through ssh2's exec directly on
 *              open connections, without our executor (what ssh2 itself costs),
 *   spawn    — one `ssh` process per command, 8 at a time (the seeds' way),
 *   mux      — `ssh` with an OpenSSH ControlMaster per host, 8 at a time.
 * Prints wall time, client CPU per command (ha-valet's own process, plus
 * its ssh children / ControlMaster processes) and sshd CPU per command (the
 * listener's own + reaped children's times from /proc/<pid>/stat).
 *
 * Run: npx tsc -p . && node dist/bench/ssh-executor.js [commands] [pooled]
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildRemoteCommand } from '../src/exec/ssh-command.js';
import { SshConnection } from '../src/exec/ssh-connection.js';
import { SshExecutorPool } from '../src/exec/ssh-pool.js';
import { descendantsOf, startTestSshd, type TestSshd } from '../test/helpers/sshd.js';

const COMMANDS = Number(process.argv[2] ?? 1000);
/** `pooled` as the second argument runs only the pooled variant (quick look at its figures). */
const ONLY_POOLED = process.argv[3] === 'pooled';
const HOSTS = Array.from({ length: 10 }, (_, i) => `127.0.0.${10 + i}`);
const SPAWN_PARALLEL = 8;
/** Warm batches on the same pool after the cold one. */
const WARM_ROUNDS = Number(process.env.HA_VALET_BENCH_WARM_ROUNDS ?? 5);
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
const execFileAsync = promisify(execFile);

interface Figures {
  name: string;
  wallMs: number;
  ownCpuMs: number;
  childCpuMs: number;
  sshdCpuMs: number;
  failures: number;
}

/** utime+stime (and cutime+cstime when WITHCHILDREN) of PID, in ms. */
function cpuOfPid(pid: number | 'self', withChildren: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // fields[0] is field 3 (state): utime = field 14 -> index 11.
    const [utime, stime, cutime, cstime] = [fields[11]!, fields[12]!, fields[13]!, fields[14]!];
    return (utime + stime + (withChildren ? cutime + cstime : 0)) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Short command name of PID ('' once it ended). */
function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Waits until sshd runs no session any more: only its per-connection sshd
 * processes are left (a warm pool keeps those), with no shell below them.
 */
async function waitForIdleSshd(sshd: TestSshd): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (descendantsOf(sshd.pid!).every((pid) => commOf(pid).startsWith('sshd'))) return;
    await sleep(25);
  }
}

/**
 * CPU of sshd and everything it ran: the listener with its reaped children,
 * plus each live descendant (open connections) with its own reaped children.
 */
function sshdCpuMs(sshd: TestSshd): number {
  return descendantsOf(sshd.pid!).reduce((sum, pid) => sum + cpuOfPid(pid, true), cpuOfPid(sshd.pid!, true));
}

/** Sleeps MS milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU of the reaped children of this process (ssh clients), in ms. */
function childrenCpuMs(): number {
  return cpuOfPid('self', true) - cpuOfPid('self', false);
}

/** Runs BODY and measures wall time, own CPU, reaped-children CPU and sshd CPU. */
async function measure(
  name: string,
  sshd: TestSshd,
  body: () => Promise<{ failures: number; extraClientCpuMs?: number }>,
): Promise<Figures> {
  await waitForIdleSshd(sshd);
  const sshdBefore = sshdCpuMs(sshd);
  const childBefore = childrenCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { failures, extraClientCpuMs = 0 } = await body();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await waitForIdleSshd(sshd);
  return {
    name,
    wallMs,
    ownCpuMs: (cpu.user + cpu.system) / 1000,
    childCpuMs: childrenCpuMs() - childBefore + extraClientCpuMs,
    sshdCpuMs: sshdCpuMs(sshd) - sshdBefore,
    failures,
  };
}

/** Runs TASKS with at most LIMIT in flight; returns how many failed. */
async function runLimited(
  count: number,
  limit: number,
  task: (i: number) => Promise<boolean>,
): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      if (!(await task(i))) failures++;
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return failures;
}

/** Runs `ssh ARGS` and resolves with its exit code. */
function runSsh(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: 'ignore' });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code));
  });
}

/** Common ssh options: no user config, batch mode, the bench's key and known_hosts. */
function sshBaseArgs(sshd: TestSshd): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${sshd.knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-i',
    sshd.clientKeyFile,
    '-p',
    String(sshd.port),
    '-l',
    sshd.user,
  ];
}

/** Pooled: all commands issued at once on POOL; the pool caps and queues per host. */
async function benchPooled(sshd: TestSshd, pool: SshExecutorPool): Promise<{ failures: number }> {
  const results = await Promise.all(
    Array.from({ length: COMMANDS }, (_, i) =>
      pool.forHost(sshd.settings(), HOSTS[i % HOSTS.length]!).run('exit 1', { timeoutMs: 30_000 }),
    ),
  );
  return { failures: results.filter((r) => r.exitCode !== 1).length };
}

/**
 * The floor: the same remote command line straight through ssh2's exec on
 * open connections (4 at a time each, as the pool), without our executor.
 */
async function benchRawSsh2(connections: SshConnection[]): Promise<{ failures: number }> {
  const remote = buildRemoteCommand('exit 1', 30_000);
  const runOne = (connection: SshConnection): Promise<boolean> =>
    new Promise((resolve) => {
      connection.exec(remote, (error, channel) => {
        if (error || !channel) return resolve(false);
        let code: number | null = null;
        channel.on('data', () => {});
        channel.stderr.on('data', () => {});
        channel.on('exit', (exitCode) => (code = exitCode));
        channel.on('close', () => resolve(code === 1));
      });
    });
  let next = 0;
  let failures = 0;
  const worker = async (connection: SshConnection): Promise<void> => {
    while (next < COMMANDS) {
      next++;
      if (!(await runOne(connection))) failures++;
    }
  };
  await Promise.all(connections.flatMap((c) => [worker(c), worker(c), worker(c), worker(c)]));
  return { failures };
}

/** Opens one plain connection per host for benchRawSsh2. */
async function openRawConnections(sshd: TestSshd): Promise<SshConnection[]> {
  const settings = sshd.settings();
  const connections = HOSTS.map(
    (host) => new SshConnection({ host, user: settings.user ?? sshd.user, settings }, () => {}),
  );
  const errors = await Promise.all(connections.map((c) => c.ready));
  if (errors.some((e) => e !== null)) throw new Error(`raw ssh2 connect failed: ${errors.join('; ')}`);
  return connections;
}

/** Spawn: one ssh process per command, 8 at a time. */
async function benchSpawn(sshd: TestSshd): Promise<{ failures: number }> {
  const base = sshBaseArgs(sshd);
  const failures = await runLimited(COMMANDS, SPAWN_PARALLEL, async (i) => {
    return (await runSsh([...base, '-o', 'ControlMaster=no', HOSTS[i % HOSTS.length]!, 'exit 1'])) === 1;
  });
  return { failures };
}

/** ControlMaster: one master per host, commands through it 8 at a time; masters' CPU counted as client CPU. */
async function benchMux(sshd: TestSshd): Promise<{ failures: number; extraClientCpuMs: number }> {
  const base = sshBaseArgs(sshd);
  const socketOf = (host: string): string => path.join(sshd.dir, `mux-${host}`);
  await Promise.all(
    HOSTS.map((host) =>
      execFileAsync('ssh', [
        ...base,
        '-o',
        'ControlMaster=yes',
        '-o',
        'ControlPersist=yes',
        '-S',
        socketOf(host),
        '-fN',
        host,
      ]),
    ),
  );
  const masters = await Promise.all(
    HOSTS.map(async (host) => {
      const { stderr } = await execFileAsync('ssh', [...base, '-S', socketOf(host), '-O', 'check', host]);
      return Number(/pid=(\d+)/.exec(stderr)?.[1] ?? 0);
    }),
  );
  const failures = await runLimited(COMMANDS, SPAWN_PARALLEL, async (i) => {
    const host = HOSTS[i % HOSTS.length]!;
    return (await runSsh([...base, '-o', 'ControlMaster=no', '-S', socketOf(host), host, 'exit 1'])) === 1;
  });
  const masterCpuMs = masters.reduce((sum, pid) => sum + cpuOfPid(pid, true), 0);
  await Promise.all(HOSTS.map((host) => runSsh([...base, '-S', socketOf(host), '-O', 'exit', host])));
  return { failures, extraClientCpuMs: masterCpuMs };
}

/** Prints one row of figures. */
function printRow(f: Figures): void {
  const per = (ms: number): string => (ms / COMMANDS).toFixed(3).padStart(9);
  console.log(
    `${f.name.padEnd(28)} ${(f.wallMs / 1000).toFixed(2).padStart(8)} s ${per(f.ownCpuMs)} ms ${per(f.childCpuMs)} ms ${per(f.sshdCpuMs)} ms ${String(f.failures).padStart(6)}`,
  );
}

/** Runs the three variants and prints the table and ratios. */
async function main(): Promise<void> {
  const sshd = await startTestSshd({ addresses: HOSTS });
  try {
    console.log(
      `ssh executor bench: ${COMMANDS} x 'exit 1' over ${HOSTS.length} hosts (${HOSTS[0]}..${HOSTS.at(-1)}), one sshd`,
    );
    console.log(
      `sshd: OpenSSH test server, SetEnv SHLVL=1, MaxSessions 10; spawn and mux ${SPAWN_PARALLEL} at a time`,
    );
    // Cold: a fresh pool, so the batch includes 10 handshakes and JIT warm-up (once per watch run).
    // Warm: the same pool again, connections open, as every later check of a watch run finds them.
    const pool = new SshExecutorPool();
    const cold = await measure('pooled, cold (+10 connects)', sshd, () => benchPooled(sshd, pool));
    // The JIT keeps optimising for a few thousand commands; the last warm round is the steady state.
    const warm: Figures[] = [];
    for (let round = 1; round <= WARM_ROUNDS; round++) {
      warm.push(await measure(`pooled, warm round ${round}`, sshd, () => benchPooled(sshd, pool)));
    }
    await pool.closeAll();
    const pooled = warm.at(-1)!;
    const raw = await openRawConnections(sshd);
    await benchRawSsh2(raw); // warm-up, not measured: the warm rows above had 5 batches of it
    const floor = await measure('ssh2 exec direct (floor)', sshd, () => benchRawSsh2(raw));
    for (const connection of raw) connection.close();
    if (ONLY_POOLED) {
      for (const f of [cold, ...warm, floor]) printRow(f);
      return;
    }
    const mux = await measure('ssh + ControlMaster', sshd, () => benchMux(sshd));
    const spawned = await measure('ssh spawn per command', sshd, () => benchSpawn(sshd));
    console.log(
      `${'variant'.padEnd(28)} ${'wall'.padStart(10)} ${'own CPU/cmd'.padStart(12)} ${'child CPU/cmd'.padStart(12)} ${'sshd CPU/cmd'.padStart(12)} failed`,
    );
    for (const f of [cold, ...warm, floor, mux, spawned]) printRow(f);
    const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;
    const clientOf = (f: Figures): number => f.ownCpuMs + f.childCpuMs;
    console.log(
      `wall: spawn/pooled ${ratio(spawned.wallMs, pooled.wallMs)}, mux/pooled ${ratio(mux.wallMs, pooled.wallMs)}` +
        ` (cold pool: spawn/pooled ${ratio(spawned.wallMs, cold.wallMs)}, mux/pooled ${ratio(mux.wallMs, cold.wallMs)})`,
    );
    console.log(
      `client CPU (own + children): spawn/pooled ${ratio(clientOf(spawned), clientOf(pooled))}, mux/pooled ${ratio(clientOf(mux), clientOf(pooled))}`,
    );
    console.log(
      `sshd CPU: spawn/pooled ${ratio(spawned.sshdCpuMs, pooled.sshdCpuMs)}, mux/pooled ${ratio(mux.sshdCpuMs, pooled.sshdCpuMs)}`,
    );
  } finally {
    await sshd.dispose();
  }
}

await main();
