/**
 * Bench: time from `kill -9` of the running demo instance to its port answering
 * again, under `ha-valet watch --interval 1`, Monit (`set daemon 1`, under tini
 * as a zombie reaper, as systemd would reap for it) and supervisord
 * (autorestart), on the same demo service in the same run, trials interleaved.
 * Each supervisor has its own loopback address and port. A random 1–2 s pause
 * after each recovery puts the kills at random phases of each 1 s tick.
 * Needs the Debian packages monit, supervisor and tini (apt-get install -y monit supervisor tini).
 * Run: npx tsc -p . && node dist/bench/restart-latency.js [trials]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, greets } from '../test/helpers/demo-env.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cliMain = path.resolve(here, '../src/cli/entry.cjs');
const repoRoot = process.env.HA_VALET_REPO ?? process.cwd();
const demo = path.join(repoRoot, 'config', 'demo', 'demo-service.mjs');
const trials = Number(process.argv[2] ?? 10);
const node = process.execPath;

interface Contender {
  name: string;
  host: string;
  port: number;
  pidFile: string;
  child: ChildProcess | null;
  samples: number[];
}

/** Sleeps `ms`. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The PID in `file`, or null. */
async function readPid(file: string): Promise<number | null> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Polls until `check` is true; throws after `timeoutMs`. */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Starts a supervisor as our child, its output appended to `log`. */
async function launch(
  command: string,
  args: string[],
  log: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess> {
  const { openSync } = await import('node:fs');
  const fd = openSync(log, 'a');
  return spawn(command, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
}

/** The demo's own test: connect and read the greeting with bash (an application-level check). */
const TCP_TEST = `bash -c 'exec 3<>/dev/tcp/{host}/{port} && read -t 5 reply <&3 && [ "$reply" = "ok {host}" ]' 2>/dev/null && exit 1; exit 0`;

/** ha-valet: a one-host demo config, `watch --interval 1`, with the demo's TCP test. */
function startHaValet(dir: string): Promise<Contender> {
  return startHaValetWith(dir, '127.0.0.2', 'ha-valet watch --interval 1', () => TCP_TEST);
}

/** ha-valet with a PID-file liveness test, the same kind of check Monit makes (`check process … with pidfile`). */
function startHaValetPidTest(dir: string): Promise<Contender> {
  return startHaValetWith(
    dir,
    '127.0.0.6',
    'ha-valet, PID-file test',
    // Alive and not a zombie: here PID 1 reaps orphans late, and the service is an orphan (its start command exits).
    (pidFile) =>
      `grep -qs '^State:[[:space:]]*[^Z[:space:]]' /proc/$(cat ${pidFile} 2>/dev/null)/status && exit 1; exit 0`,
  );
}

/** ha-valet on `host` with the given test command (given the service's PID file). */
async function startHaValetWith(
  dir: string,
  host: string,
  name: string,
  test: (pidFile: string) => string,
): Promise<Contender> {
  const port = await freePort();
  const env = `HA_VALET_DEMO_DIR=${dir}`;
  const config = path.join(dir, 'ha_valet.cfg');
  const pidFile = path.join(dir, `service-${host}-${port}.pid`);
  await writeFile(
    config,
    [
      '[DEFAULT]',
      `state_dir = ${dir}/state`,
      'min_uptime = 0s',
      'max_restarts = 1000',
      '',
      '[Svc]',
      `host = ${host}`,
      `port = ${port}`,
      `start = ${env} ${node} ${demo} start {host} {port}`,
      `stop = ${env} ${node} ${demo} stop {host} {port}`,
      `test = ${test(pidFile)}`,
      '',
    ].join('\n'),
  );
  const child = await launch(
    node,
    [cliMain, '-c', config, 'watch', '--interval', '1'],
    path.join(dir, 'watch.log'),
  );
  return { name, host, port, pidFile, child, samples: [] };
}

/** Monit: `set daemon 1`, a pidfile process check, under `tini -s` (subreaper) to reap the killed server. */
async function startMonit(dir: string): Promise<Contender> {
  const host = '127.0.0.4';
  const port = await freePort();
  const pidFile = path.join(dir, `service-${host}-${port}.pid`);
  const rc = path.join(dir, 'monitrc');
  const sh = (verb: string): string =>
    `/bin/sh -c 'HA_VALET_DEMO_DIR=${dir} ${node} ${demo} ${verb} ${host} ${port}'`;
  await writeFile(
    rc,
    [
      'set daemon 1',
      `set logfile ${dir}/monit.log`,
      `set pidfile ${dir}/monit.pid`,
      `set idfile ${dir}/monit.id`,
      `set statefile ${dir}/monit.state`,
      `check process demo with pidfile ${pidFile}`,
      `  start program = "${sh('start')}" with timeout 10 seconds`,
      `  stop program = "${sh('stop')}"`,
      '',
    ].join('\n'),
  );
  await chmod(rc, 0o600);
  const child = await launch('tini', ['-s', '--', 'monit', '-I', '-c', rc], path.join(dir, 'monit.out'));
  return { name: 'monit (set daemon 1)', host, port, pidFile, child, samples: [] };
}

/** supervisord: the server in the foreground, autorestart, writing its own PID file. */
async function startSupervisord(dir: string): Promise<Contender> {
  const host = '127.0.0.5';
  const port = await freePort();
  const pidFile = path.join(dir, 'serve.pid');
  const conf = path.join(dir, 'supervisord.conf');
  await writeFile(
    conf,
    [
      '[supervisord]',
      'nodaemon=true',
      `logfile=${dir}/supervisord.log`,
      `pidfile=${dir}/supervisord.pid`,
      `childlogdir=${dir}`,
      '',
      '[program:demo]',
      `command=/bin/sh -c 'echo $$ > ${pidFile}; exec ${node} ${demo} serve ${host} ${port}'`,
      'autostart=true',
      'autorestart=true',
      'startsecs=0',
      'startretries=1000',
      '',
    ].join('\n'),
  );
  const child = await launch('supervisord', ['-c', conf], path.join(dir, 'supervisord.out'));
  return { name: 'supervisord (autorestart)', host, port, pidFile, child, samples: [] };
}

/** One trial: kill -9 the instance, time until the port answers again (with a new PID). */
async function trial(c: Contender): Promise<void> {
  const pid = await readPid(c.pidFile);
  if (pid === null) throw new Error(`${c.name}: no PID in ${c.pidFile}`);
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  await waitUntil(`${c.name} to answer again`, async () => {
    if (!(await greets(c.host, c.port, 1000))) return false;
    const now = await readPid(c.pidFile);
    return now !== null && now !== pid;
  });
  c.samples.push(performance.now() - t0);
}

/** The median of `xs`. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Stops a child by PID: SIGTERM, then SIGKILL. */
async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const root = await mkdtemp(path.join(os.tmpdir(), 'hv-restart-bench-'));
const contenders: Contender[] = [];
try {
  for (const [name, start] of [
    ['ha-valet', startHaValet],
    ['ha-valet-pid', startHaValetPidTest],
    ['monit', startMonit],
    ['supervisord', startSupervisord],
  ] as const) {
    const dir = path.join(root, name);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir);
    contenders.push(await start(dir));
  }
  for (const c of contenders) {
    await waitUntil(
      `${c.name} to start the service`,
      async () => (await readPid(c.pidFile)) !== null && greets(c.host, c.port, 1000),
    );
  }
  await sleep(2000);
  for (let i = 0; i < trials; i += 1) {
    for (const c of contenders) {
      await trial(c);
      await sleep(1000 + Math.random() * 1000);
    }
  }
  const base = median(contenders[0]!.samples);
  const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `restart latency, kill -9 → port answering, ${trials} trials each (${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  console.log(
    `${'supervisor'.padEnd(30)} ${'median'.padStart(8)} ${'max'.padStart(8)} ${'min'.padStart(8)} ${'median vs ha-valet'.padStart(20)}`,
  );
  for (const c of contenders) {
    const m = median(c.samples);
    console.log(
      `${c.name.padEnd(30)} ${fmt(m).padStart(8)} ${fmt(Math.max(...c.samples)).padStart(8)} ${fmt(Math.min(...c.samples)).padStart(8)} ${`${(m / base).toFixed(2)}×`.padStart(20)}`,
    );
  }
  console.log(
    `samples (s): ${contenders.map((c) => `${c.name.split(' ')[0]}: ${c.samples.map((s) => (s / 1000).toFixed(2)).join(' ')}`).join(' | ')}`,
  );
} finally {
  for (const c of contenders) await stopChild(c.child);
  // The demo servers the supervisors started (detached) are ours too: stop them by PID file.
  for (const c of contenders) {
    const pid = await readPid(c.pidFile);
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
  await rm(root, { recursive: true, force: true });
}
