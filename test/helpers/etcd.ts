/**
 * Real etcd for tests and benches: single members and 3-member clusters on
 * 127.0.0.1 with random free ports and temp data dirs, never 2379/2380 and
 * never the system service. Members are stopped with SIGKILL, by PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Etcd3 } from 'etcd3';
import { fileURLToPath } from 'node:url';

export const ETCD_BIN = '/usr/bin/etcd';

/** One etcd member: its ports, data dir and (while running) its process. */
export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  clientUrl: string;
  peerUrl: string;
  process: ChildProcess | null;
  log: string;
}

/** A running etcd cluster of one or more members. */
export interface EtcdCluster {
  members: EtcdMember[];
  /** Client URLs of every member, for EtcdSettings.endpoints. */
  endpoints: string[];
  /** SIGKILLs a member (index) and waits until it is gone. */
  kill(index: number): Promise<void>;
  /** Starts a killed member again on the same ports and data dir. */
  restart(index: number): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) a member. */
  freeze(index: number): void;
  thaw(index: number): void;
  /** Resolves once `count` members (default all running ones) answer /health with true. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Index of the member that is the raft leader now, or -1. */
  raftLeader(): Promise<number>;
  /** Kills every member and removes the data dirs. */
  stop(): Promise<void>;
}

/** Installs Debian's etcd-server when /usr/bin/etcd is missing (the suite runs as root). */
export function ensureEtcdInstalled(): void {
  if (existsSync(ETCD_BIN)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'etcd-server'], { stdio: 'ignore', env });
  if (!existsSync(ETCD_BIN)) throw new Error(`installing etcd-server did not provide ${ETCD_BIN}`);
}

/** A free TCP port on 127.0.0.1, never 2379/2380. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const found = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port !== 2379 && port !== 2380) return port;
  }
}

/** The command line of one member of a new cluster (zap logger, errors only, on stderr). */
export function etcdArgs(
  member: Pick<EtcdMember, 'name' | 'dataDir' | 'clientUrl' | 'peerUrl'>,
  initialCluster: string,
  token: string,
): string[] {
  return [
    '--name',
    member.name,
    '--data-dir',
    member.dataDir,
    '--listen-client-urls',
    member.clientUrl,
    '--advertise-client-urls',
    member.clientUrl,
    '--listen-peer-urls',
    member.peerUrl,
    '--initial-advertise-peer-urls',
    member.peerUrl,
    '--initial-cluster',
    initialCluster,
    '--initial-cluster-token',
    token,
    '--initial-cluster-state',
    'new',
    '--logger',
    'zap',
    '--log-level',
    'error',
    '--log-outputs',
    'stderr',
  ];
}

/** Starts a fresh etcd cluster of `size` members (1 or 3) and waits until it is healthy. */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  ensureEtcdInstalled();
  const root = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-etcd-'));
  const members: EtcdMember[] = [];
  for (let i = 0; i < size; i++) {
    const clientPort = await freePort();
    const peerPort = await freePort();
    members.push({
      name: `m${i}`,
      clientPort,
      peerPort,
      dataDir: path.join(root, `m${i}`),
      clientUrl: `http://127.0.0.1:${clientPort}`,
      peerUrl: `http://127.0.0.1:${peerPort}`,
      process: null,
      log: '',
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const token = path.basename(root);

  /** Spawns one member's etcd process. */
  const launch = (member: EtcdMember): void => {
    const child = spawn(ETCD_BIN, etcdArgs(member, initialCluster, token), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      member.log = (member.log + chunk.toString()).slice(-20_000);
    });
    member.process = child;
  };

  /** Kills a member's process with SIGKILL and waits for its exit. */
  const killMember = async (member: EtcdMember): Promise<void> => {
    const child = member.process;
    member.process = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(child.pid as number, 'SIGCONT');
    } catch {
      /* already gone */
    }
    child.kill('SIGKILL');
    await exited;
  };

  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    kill: (index) => killMember(members[index] as EtcdMember),
    async restart(index) {
      const member = members[index] as EtcdMember;
      await killMember(member);
      launch(member);
    },
    freeze(index) {
      const pid = members[index]?.process?.pid;
      if (pid) process.kill(pid, 'SIGSTOP');
    },
    thaw(index) {
      const pid = members[index]?.process?.pid;
      if (pid) process.kill(pid, 'SIGCONT');
    },
    async waitHealthy(timeoutMs = 20_000) {
      const running = members.filter((m) => m.process);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(running.map((m) => checkHealth(m.clientUrl)));
        if (states.every(Boolean)) return;
        if (Date.now() > deadline) {
          const logs = running.map((m) => `${m.name}: ${m.log.slice(-2000)}`).join('\n');
          throw new Error(`etcd did not become healthy within ${timeoutMs} ms\n${logs}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async raftLeader() {
      for (const [index, member] of members.entries()) {
        if (!member.process) continue;
        const client = new Etcd3({
          hosts: member.clientUrl,
          defaultCallOptions: () => ({ deadline: Date.now() + 1000 }),
        });
        try {
          const status = await client.maintenance.status();
          if (status.leader === status.header.member_id) return index;
        } catch {
          /* not answering */
        } finally {
          client.close();
        }
      }
      return -1;
    },
    async stop() {
      await Promise.all(members.map((m) => killMember(m)));
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const member of members) launch(member);
  try {
    await cluster.waitHealthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** True when the member at `clientUrl` reports itself healthy (has a leader and quorum). */
export async function checkHealth(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../coord/fixtures');

/** A child process running one etcd watcher (test/coord/fixtures/etcd-watcher.ts). */
export interface WatcherChild {
  child: ChildProcess;
  /** Every JSON line it printed so far. */
  events: Array<{ event: 'leader' | 'follower' | 'lost'; epoch?: string; at: number }>;
  /** Resolves with the first event of that kind (already seen or future). */
  waitFor(event: 'leader' | 'follower' | 'lost', timeoutMs?: number): Promise<{ at: number; epoch?: string }>;
  /** SIGKILLs it and waits for its exit. */
  kill(): Promise<void>;
}

/** Starts a watcher in its own process, calling acquire() every 100 ms. */
export function spawnWatcher(settings: object, watcherId: string): WatcherChild {
  const child = spawn(
    process.execPath,
    [path.join(fixtures, 'etcd-watcher.js'), JSON.stringify(settings), watcherId],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const events: WatcherChild['events'] = [];
  const waiters: Array<() => void> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as WatcherChild['events'][number]);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    events,
    async waitFor(event, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((e) => e.event === event);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(
            `watcher ${watcherId} did not report ${event} within ${timeoutMs} ms (saw ${JSON.stringify(events)})`,
          );
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A freezable TCP proxy process in front of 127.0.0.1:targetPort. */
export interface ProxyChild {
  port: number;
  url: string;
  freeze(): void;
  thaw(): void;
  kill(): Promise<void>;
}

/** Starts the proxy (test/coord/fixtures/tcp-proxy.ts) and waits for its port. */
export async function startProxy(targetPort: number): Promise<ProxyChild> {
  const child = spawn(process.execPath, [path.join(fixtures, 'tcp-proxy.js'), String(targetPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line)));
    child.once('exit', () => reject(new Error('tcp proxy exited before listening')));
  });
  const pid = child.pid as number;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    freeze: () => process.kill(pid, 'SIGSTOP'),
    thaw: () => process.kill(pid, 'SIGCONT'),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
      child.kill('SIGKILL');
      await exited;
    },
  };
}
