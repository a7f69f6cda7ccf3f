/**
 * A throwaway OpenSSH server on loopback for tests and benchmarks: its own
 * temp dir with host key, client key, authorized_keys, known_hosts and
 * sshd_config. It never touches the machine's own SSH configuration; it is
 * started and stopped by PID. Installs Debian's openssh-server when missing.
 */
import { ensureDebianPackage } from './debian-package.js';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SshSettings } from '../../src/config/model.js';

export const SSHD_PATH = '/usr/sbin/sshd';

export interface SshdOptions {
  /** Loopback addresses to listen on; default ['127.0.0.2']. */
  addresses?: string[];
  /** sshd's MaxSessions (default 10, as sshd). */
  maxSessions?: number;
  /** Extra sshd_config lines. */
  extraConfig?: string[];
  /** More NAME=value pairs for sshd's SetEnv (only its first SetEnv line counts), e.g. 'PATH=/x'. */
  setEnv?: string[];
  /** Listen on this port instead of a free one (e.g. a second "host" sharing ssh_port). */
  port?: number;
  /**
   * Run sshd inside this network namespace (`ip netns exec`); `addresses` are
   * that namespace's, `port` is then required, and readiness is read from the log.
   */
  netns?: string;
}

export interface TestSshd {
  dir: string;
  port: number;
  addresses: string[];
  /** The server's public host key line, e.g. 'ssh-ed25519 AAAA…'. */
  hostPublicKey: string;
  /** Private key whose public half is in authorized_keys. */
  clientKeyFile: string;
  /** known_hosts with a plain `[addr]:port` entry per address (`addr` alone for port 22). */
  knownHostsFile: string;
  logFile: string;
  /** PID of the listening sshd, or null while stopped. */
  pid: number | null;
  user: string;
  /** SshSettings for this server, with overrides. */
  settings(overrides?: Partial<SshSettings>): SshSettings;
  /** Number of successful logins in the log so far. */
  acceptedLogins(): number;
  /** Number of sessions sshd started so far (one per exec channel; LogLevel VERBOSE logs each). */
  startedSessions(): number;
  /** Stops the listener and every connection it serves (its descendants). */
  stop(): Promise<void>;
  /** Starts the listener again on the same port. */
  start(): Promise<void>;
  /** Stops and deletes the temp dir. */
  dispose(): Promise<void>;
}

/** Installs openssh-server with apt-get when /usr/sbin/sshd is missing. */
export function ensureSshdInstalled(): void {
  ensureDebianPackage(SSHD_PATH, 'openssh-server');
}

/** Generates an ed25519 key pair at FILE (and FILE.pub); returns the public line. */
export function generateKey(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ha-valet-test', '-f', file], {
    stdio: 'ignore',
  });
  return readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** Finds a free TCP port on ADDRESS. */
export function findFreePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once ADDRESS:PORT accepts TCP connections, or rejects after timeoutMs. */
async function waitForListen(
  address: string,
  port: number,
  isAlive: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('sshd exited during start-up');
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host: address, port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd did not listen on ${address}:${port} within ${timeoutMs} ms`);
}

/** Resolves once sshd's log says it listens on every address (count: lines already there before this start). */
async function waitForLogListen(
  logFile: string,
  addresses: string[],
  port: number,
  isAlive: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const before = listeningLines(logFile);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('sshd exited during start-up');
    const now = listeningLines(logFile);
    if (addresses.every((a) => (now.get(`${a} port ${port}`) ?? 0) > (before.get(`${a} port ${port}`) ?? 0)))
      return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd did not log listening on ${addresses.join(',')}:${port} within ${timeoutMs} ms`);
}

/** How often the log says "Server listening on ADDR port PORT", per "ADDR port PORT". */
function listeningLines(logFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(logFile)) return counts;
  for (const match of readFileSync(logFile, 'utf8').matchAll(/Server listening on (\S+ port \d+)/g)) {
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}

/** Sends SIGNAL to each PID (e.g. SIGSTOP/SIGCONT on descendantsOf), ignoring those already gone. */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** PIDs of every descendant of PID, deepest last, from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Lines of the log that contain TEXT. */
function countLogLines(logFile: string, text: string): number {
  if (!existsSync(logFile)) return 0;
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes(text)).length;
}

/** Sends SIGKILL to PID, ignoring a process that is already gone. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Writes the sshd_config for the harness. */
function writeConfig(dir: string, port: number, addresses: string[], options: SshdOptions): string {
  const file = path.join(dir, 'sshd_config');
  const lines = [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    ['SetEnv', 'SHLVL=1', ...(options.setEnv ?? [])].join(' '),
    'LogLevel VERBOSE',
    'MaxStartups 200:30:400',
    `MaxSessions ${options.maxSessions ?? 10}`,
    'UseDNS no',
    ...(options.extraConfig ?? []),
  ];
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Starts a throwaway sshd on loopback and returns its handle. */
export async function startTestSshd(options: SshdOptions = {}): Promise<TestSshd> {
  ensureSshdInstalled();
  mkdirSync('/run/sshd', { recursive: true });
  const addresses = options.addresses ?? ['127.0.0.2'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-sshd-'));
  const hostPublicKey = generateKey(path.join(dir, 'host_ed25519'));
  const clientKeyFile = path.join(dir, 'client_ed25519');
  writeFileSync(path.join(dir, 'authorized_keys'), generateKey(clientKeyFile) + '\n');
  const logFile = path.join(dir, 'sshd.log');
  const knownHostsFile = path.join(dir, 'known_hosts');
  const user = os.userInfo().username;
  let port = 0;
  let configFile = '';
  let child: ReturnType<typeof spawn> | null = null;
  let exited = true;

  /** Spawns the listener and waits until every address accepts connections. */
  const launch = async (): Promise<void> => {
    const args = ['-D', '-f', configFile, '-E', logFile];
    const [command, argv] = options.netns
      ? ['ip', ['netns', 'exec', options.netns, SSHD_PATH, ...args]]
      : [SSHD_PATH, args];
    const proc = spawn(command, argv, { stdio: 'ignore', detached: true });
    child = proc;
    exited = false;
    proc.once('exit', () => {
      if (child === proc) exited = true;
    });
    proc.unref();
    if (options.netns) await waitForLogListen(logFile, addresses, port, () => !exited, 10_000);
    else for (const address of addresses) await waitForListen(address, port, () => !exited, 10_000);
  };

  for (let attempt = 1; ; attempt++) {
    if (options.netns && options.port === undefined) throw new Error('an sshd in a namespace needs a port');
    port = options.port ?? (await findFreePort(addresses[0]!));
    configFile = writeConfig(dir, port, addresses, options);
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  // OpenSSH writes port 22 entries without brackets and the port.
  const hostPattern = (a: string): string => (port === 22 ? a : `[${a}]:${port}`);
  writeFileSync(knownHostsFile, addresses.map((a) => `${hostPattern(a)} ${hostPublicKey}\n`).join(''));

  const handle: TestSshd = {
    dir,
    port,
    addresses,
    hostPublicKey,
    clientKeyFile,
    knownHostsFile,
    logFile,
    user,
    get pid() {
      return child && !exited ? (child.pid ?? null) : null;
    },
    settings(overrides = {}) {
      return {
        port,
        user,
        keyFile: clientKeyFile,
        knownHostsFile,
        verifyHostKey: true,
        runner: true,
        connectTimeoutMs: 5000,
        ...overrides,
      };
    },
    acceptedLogins() {
      return countLogLines(logFile, 'Accepted publickey');
    },
    startedSessions() {
      return countLogLines(logFile, 'Starting session:');
    },
    async stop() {
      const proc = child;
      if (!proc || exited || proc.pid === undefined) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.ref(); // keep the event loop alive until the exit is seen
      const served = descendantsOf(proc.pid);
      killQuietly(proc.pid);
      for (const pid of served) killQuietly(pid);
      await gone;
    },
    async start() {
      if (!exited) return;
      await launch();
    },
    async dispose() {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
