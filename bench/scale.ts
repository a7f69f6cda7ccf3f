/**
 * Issue 14: how many (process, host) pairs one supervisor checks every second,
 * side by side in one run, for each N:
 *   monit    Monit 5.33 (`set daemon 1`), N `if failed port … type tcp` checks
 *   native   ha-valet watch --interval 1, N/2 processes × 2 hosts, test = tcp://{host}:{port}
 *            (plain connects watched by the connect helper, a Python process: it checks every
 *            interval on its own schedule and the watcher runs a cycle only when a check changed)
 *   cycled   the native row with HA_VALET_TCP_WATCH=no (the watcher runs a cycle of every
 *            process every interval, asking the helper for each connect, as before)
 *   nodetcp  the native row with HA_VALET_NATIVE_TCP=node (connects from Node's sockets)
 *   shell    the same with test = `[ {rank} = 1 ] && exit 1; exit 0` (the default spawner:
 *            the Python posix_spawn helper where Python ≥ 3.8 is installed)
 *   perl     the shell row with HA_VALET_SPAWN=perl (the Perl fork helper, the fallback)
 *   direct   the shell row with HA_VALET_SPAWN=direct (spawned from Node, as before issue 14)
 *   bash     a bash loop spawning that line N times a second
 *   ssh      the shell row with transport = ssh: 10 loopback hosts (127.0.0.10–19) of one test
 *            sshd, each process on two of them (up on the first, down on the second)
 *   ssh-exec the ssh row with ssh_runner = no (one exec channel per check, as before)
 *   ssh-perl the ssh row on a second sshd whose logins' PATH has perl but no python3 (the Perl runner)
 * The ssh rows also print the server side's CPU: the test sshd's process tree (listener,
 * per-connection sshd processes and all below them), live and reaped.
 * Each row runs DURATION s after a warm-up; prints checks done/wanted per s,
 * CPU of the supervisor and of its children, CPU per check, peak RSS, schedule lag
 * (worst of samples every 5 s; ha-valet's from its heartbeat, which also counts its checks).
 *   npm run build && node dist/bench/scale.js [N,N,...] [DURATION_S] [ROWS]
 * e.g. `node dist/bench/scale.js 100,500,1000 30 monit,native,shell,bash`.
 * Hosts are loopback addresses: 127.0.0.2 listens (up, rank 1), 127.0.0.3 refuses (down, rank 2),
 * so ha-valet never acts. Monit checks half its ports on each of two listening addresses
 * (its checks are counted by the connections they make).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeartbeatInfo } from '../src/state/heartbeat.js';
import { descendantsOf, startTestSshd, type TestSshd } from '../test/helpers/sshd.js';
import { peakRssMb, procCpu } from './lib/proc-cpu.js';
import { ensureDebianPackage } from '../test/helpers/debian-package.js';

const sizes = (process.argv[2] ?? '100,500,1000').split(',').map(Number);
const durationS = Number(process.argv[3] ?? 30);
const rows = (process.argv[4] ?? 'monit,native,shell,perl,direct,bash').split(',');
const WARMUP_MS = 6000;
const LINE = '[ {rank} = 1 ] && exit 1; exit 0';
// The program users run (its shebang gives Node the watcher's memory flags).
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ha-valet');
const UP = '127.0.0.2';
const DOWN = '127.0.0.3';
const SSH_HOSTS = Array.from({ length: 10 }, (_, i) => `127.0.0.${10 + i}`);

interface Row {
  name: string;
  n: number;
  donePerS: number;
  supervisorCpuPct: number;
  childrenCpuPct: number;
  cpuPerCheckMs: number;
  peakRssMb: number;
  lag: string;
  /** CPU of the far side (the test sshd's tree) per check, for the ssh rows. */
  serverCpuPct?: number;
  serverPerCheckMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP server on host:port counting accepted connections. */
async function countingServer(host: string, port: number): Promise<{ count(): number; close(): void }> {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(port, host, 1024, resolve));
  return { count: () => accepted, close: () => server.close() };
}

/** A free port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Child PIDs of `pid` (all threads). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU ms of a supervisor, and of its children (reaped ones, and live helpers with theirs). */
function cpuOf(pid: number): { self: number; children: number } {
  const own = procCpu(pid);
  const live = childrenOf(pid).map(procCpu);
  return {
    self: own.selfMs,
    children: own.childrenMs + live.reduce((sum, c) => sum + c.selfMs + c.childrenMs, 0),
  };
}

/**
 * CPU ms of a whole process tree: every live member's own time plus what it reaped.
 * Members that ended and were reaped inside the tree are in their parent's reaped time.
 */
function treeCpu(pid: number | null): number {
  if (pid === null) return 0;
  return [pid, ...descendantsOf(pid)].reduce((sum, p) => {
    const cpu = procCpu(p);
    return sum + cpu.selfMs + cpu.childrenMs;
  }, 0);
}

/** Measures `pid` over DURATION s; `done()` counts checks so far; `lag()` samples the lag; `server` is a far side's tree. */
async function measure(
  name: string,
  n: number,
  pid: number,
  done: () => Promise<number>,
  lag: () => Promise<number | null>,
  server: number | null = null,
): Promise<Row> {
  await sleep(WARMUP_MS);
  const s0 = treeCpu(server);
  const [c0, d0, t0] = [cpuOf(pid), await done(), performance.now()];
  let worstLag: number | null = null;
  const end = t0 + durationS * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(5000, end - performance.now()));
    const sample = await lag();
    if (sample !== null) worstLag = Math.max(worstLag ?? 0, sample);
  }
  const [c1, d1, t1] = [cpuOf(pid), await done(), performance.now()];
  const serverMs = treeCpu(server) - s0;
  const seconds = (t1 - t0) / 1000;
  const checks = d1 - d0;
  const self = c1.self - c0.self;
  const children = c1.children - c0.children;
  return {
    name,
    n,
    donePerS: checks / seconds,
    supervisorCpuPct: self / seconds / 10,
    childrenCpuPct: children / seconds / 10,
    cpuPerCheckMs: checks > 0 ? (self + children) / checks : NaN,
    peakRssMb: peakRssMb(pid),
    lag: worstLag === null ? 'n/a' : `${(worstLag * 1000).toFixed(0)} ms`,
    ...(server === null
      ? {}
      : { serverCpuPct: serverMs / seconds / 10, serverPerCheckMs: checks > 0 ? serverMs / checks : NaN }),
  };
}

/** Stops a child by PID and waits for it. */
async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Monit with n port checks, half on each of two listening addresses. */
async function monitRow(n: number, dir: string): Promise<Row> {
  ensureDebianPackage('/usr/bin/monit', 'monit'); // the anchor: Debian's Monit
  const port = await freePort();
  const servers = [await countingServer(UP, port), await countingServer(DOWN, port)];
  const checks = Array.from(
    { length: n },
    (_, i) =>
      `check host h${i} with address ${i % 2 ? DOWN : UP}\n  if failed port ${port} type tcp then alert\n`,
  );
  const file = path.join(dir, 'monitrc');
  writeFileSync(
    file,
    `set daemon 1\nset logfile ${dir}/monit.log\nset pidfile ${dir}/monit.pid\nset idfile ${dir}/monit.id\nset statefile ${dir}/monit.state\n${checks.join('')}`,
  );
  chmodSync(file, 0o600);
  const monit = spawn('monit', ['-I', '-c', file], { stdio: 'ignore' });
  try {
    const done = async () => servers[0]!.count() + servers[1]!.count();
    return await measure('monit', n, monit.pid!, done, async () => null);
  } finally {
    await stop(monit);
    servers.forEach((s) => s.close());
  }
}

/** ha-valet watch on n/2 processes × 2 hosts with `test`. */
async function haValetRow(
  name: string,
  n: number,
  dir: string,
  test: string,
  env: NodeJS.ProcessEnv,
  ssh: { sshd: TestSshd; runner: boolean } | null = null,
): Promise<Row> {
  const port = await freePort();
  const server = await countingServer(UP, port);
  // Over SSH, process i runs on two of the ten hosts: up (rank 1) on the first, down on the second.
  const hostsOf = (i: number): [string, string] =>
    ssh ? [SSH_HOSTS[i % 10]!, SSH_HOSTS[(i + 1) % 10]!] : [UP, DOWN];
  const sections = Array.from({ length: n / 2 }, (_, i) => {
    const [first, second] = hostsOf(i);
    return `[P${i}]\nhost = ${first}\nstand_by_list = ${first},${second}\nport = ${port}\ntest = ${test}\n`;
  });
  const sshDefaults = ssh
    ? `transport = ssh\nssh_port = ${ssh.sshd.port}\nssh_key = ${ssh.sshd.clientKeyFile}\n` +
      `ssh_known_hosts = ${ssh.sshd.knownHostsFile}\n${ssh.runner ? '' : 'ssh_runner = no\n'}`
    : '';
  const file = path.join(dir, `${name}.cfg`);
  writeFileSync(
    file,
    `[DEFAULT]\nstate_dir = ${dir}/state-${name}\nstart = true\nstop = true\ntest_timeout = 5s\n${sshDefaults}\n${sections.join('\n')}`,
  );
  const watcher = spawn(cli, ['-c', file, 'watch', '--interval', '1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // SCALE_NODE_OPTIONS: V8 flags for the measured watcher only (e.g. --max-semi-space-size=1).
    env: { ...process.env, NODE_OPTIONS: process.env.SCALE_NODE_OPTIONS ?? '', ...env },
  });
  // Checks done and schedule lag from the heartbeat (written every second): no metrics
  // endpoint, whose renders would add to the watcher's CPU and memory.
  const heartbeat = (): HeartbeatInfo | null => {
    try {
      const stateDir = path.join(dir, `state-${name}`);
      const [sub] = readdirSync(stateDir);
      return JSON.parse(readFileSync(path.join(stateDir, sub!, 'heartbeat.json'), 'utf8')) as HeartbeatInfo;
    } catch {
      return null;
    }
  };
  try {
    const done = async () => heartbeat()?.checksDone ?? 0;
    const lag = async () => {
      const worst = heartbeat()?.lag?.worstMs;
      return worst === undefined ? null : worst / 1000;
    };
    return await measure(name, n, watcher.pid!, done, lag, ssh?.sshd.pid ?? null);
  } finally {
    await stop(watcher);
    server.close();
  }
}

/** The shell row over SSH: one test sshd listening on the ten host addresses. */
async function sshRow(name: string, n: number, dir: string, sshd: TestSshd, runner: boolean): Promise<Row> {
  return haValetRow(name, n, dir, LINE, {}, { sshd, runner });
}

/** A bash loop spawning the shell line n times a second (rank 1 for half, 2 for the other half). */
async function bashRow(n: number, dir: string): Promise<Row> {
  const counter = path.join(dir, `bash-count-${n}`);
  const script = `
    count=0
    while true; do
      next=$(( $(date +%s) + 1 ))
      for ((i = 0; i < ${n}; i++)); do r=$(( i % 2 + 1 )); sh -c "${LINE.replace('{rank}', '$r')}"; count=$((count + 1)); if (( count % 50 == 0 )); then echo $count > ${counter}.tmp; mv -f ${counter}.tmp ${counter}; fi; done
      while [ $(date +%s) -lt $next ]; do sleep 0.05; done
    done`;
  const bash = spawn('bash', ['-c', script], { stdio: 'ignore' });
  try {
    const done = async () => {
      try {
        return Number(readFileSync(counter, 'utf8').trim() || 0);
      } catch {
        return 0;
      }
    };
    return await measure('bash', n, bash.pid!, done, async () => null);
  } finally {
    await stop(bash, 'SIGKILL');
  }
}

/** A directory holding only a link to perl (a PATH without python3). */
function perlOnlyBin(parent: string): string {
  const bin = path.join(parent, 'bin-perl-only');
  mkdirSync(bin);
  symlinkSync('/usr/bin/perl', path.join(bin, 'perl'));
  return bin;
}

/** The server side's figures of an ssh row. */
function serverText(r: Row): string {
  if (r.serverCpuPct === undefined) return '';
  return `  sshd side ${r.serverCpuPct.toFixed(1)}% (${r.serverPerCheckMs!.toFixed(3)} ms per check)`;
}

/**
 * Pairs at a 1 s interval the machine could check with this row's CPU per check and every core
 * free for it, beside what it did (the bench's own share and the other rows' loads aside).
 */
function achievable(r: Row): string {
  const pairs = (os.cpus().length * 1000) / r.cpuPerCheckMs;
  return `achievable here: ~${Math.floor(pairs / 10) * 10} pairs at 1 s with all ${os.cpus().length} cores (CPU bound: ${os.cpus().length} × 1000 ms / ${r.cpuPerCheckMs.toFixed(2)} ms); did ${r.donePerS.toFixed(0)} of ${r.n} per s, worst lag ${r.lag}`;
}

const results: Row[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-scale-'));
// One sshd for the ssh rows: `SetEnv SHLVL=1` (no ~/.bashrc per session), MaxSessions 10 as sshd's default;
// another for ssh-perl whose logins find perl but no python3 in PATH.
const sshd = rows.some((r) => r === 'ssh' || r === 'ssh-exec')
  ? await startTestSshd({ addresses: SSH_HOSTS })
  : null;
const sshdPerl = rows.includes('ssh-perl')
  ? await startTestSshd({ addresses: SSH_HOSTS, setEnv: [`PATH=${perlOnlyBin(dir)}`] })
  : null;
console.log(
  `${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${durationS} s per row after ${WARMUP_MS / 1000} s warm-up`,
);
try {
  for (const n of sizes) {
    for (const row of rows) {
      let result: Row;
      if (row === 'monit') result = await monitRow(n, dir);
      else if (row === 'native') result = await haValetRow('native', n, dir, 'tcp://{host}:{port}', {});
      else if (row === 'cycled')
        result = await haValetRow('cycled', n, dir, 'tcp://{host}:{port}', { HA_VALET_TCP_WATCH: 'no' });
      else if (row === 'nodetcp')
        result = await haValetRow('nodetcp', n, dir, 'tcp://{host}:{port}', { HA_VALET_NATIVE_TCP: 'node' });
      else if (row === 'shell')
        result = await haValetRow('shell', n, dir, LINE, { HA_VALET_SPAWN: undefined });
      else if (row === 'perl') result = await haValetRow('perl', n, dir, LINE, { HA_VALET_SPAWN: 'perl' });
      else if (row === 'direct')
        result = await haValetRow('direct', n, dir, LINE, { HA_VALET_SPAWN: 'direct' });
      else if (row === 'ssh' || row === 'ssh-exec') result = await sshRow(row, n, dir, sshd!, row === 'ssh');
      else if (row === 'ssh-perl') result = await sshRow(row, n, dir, sshdPerl!, true);
      else result = await bashRow(n, dir);
      results.push(result);
      const r = result;
      console.log(
        `N=${String(r.n).padEnd(5)} ${r.name.padEnd(7)} done ${r.donePerS.toFixed(0).padStart(5)}/${r.n}/s  supervisor ${r.supervisorCpuPct.toFixed(1).padStart(5)}%  children ${r.childrenCpuPct.toFixed(1).padStart(5)}%  per check ${r.cpuPerCheckMs.toFixed(3)} ms  peak RSS ${r.peakRssMb.toFixed(0)} MB  lag ${r.lag}${serverText(r)}`,
      );
    }
    const of = (name: string) => results.find((r) => r.n === n && r.name === name);
    const ratio = (a?: Row, b?: Row) => (a && b ? (a.cpuPerCheckMs / b.cpuPerCheckMs).toFixed(2) : 'n/a');
    console.log(
      `N=${n}: native/monit CPU per check ${ratio(of('native'), of('monit'))}x (target <= 2); shell/bash ${ratio(of('shell'), of('bash'))}x (target <= 1.5); perl/bash ${ratio(of('perl'), of('bash'))}x; direct/bash ${ratio(of('direct'), of('bash'))}x`,
    );
    for (const r of [of('shell'), of('perl')]) {
      if (r && r.cpuPerCheckMs > 0) console.log(`N=${n}: ${r.name} ${achievable(r)}`);
    }
  }
  console.log(
    '\n| N | row | checks done / wanted per s | supervisor CPU | children CPU | CPU per check | peak RSS | schedule lag (worst) | server CPU | server CPU per check |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const server =
      r.serverCpuPct === undefined
        ? '| | '
        : `| ${r.serverCpuPct.toFixed(1)} % | ${r.serverPerCheckMs!.toFixed(3)} ms `;
    console.log(
      `| ${r.n} | ${r.name} | ${r.donePerS.toFixed(0)} / ${r.n} | ${r.supervisorCpuPct.toFixed(1)} % | ${r.childrenCpuPct.toFixed(1)} % | ${r.cpuPerCheckMs.toFixed(3)} ms | ${r.peakRssMb.toFixed(0)} MB | ${r.lag} ${server}|`,
    );
  }
} finally {
  await sshd?.dispose();
  await sshdPerl?.dispose();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
