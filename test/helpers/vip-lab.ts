/**
 * A small network made of Linux network namespaces for the VIP tests and bench:
 * server namespaces (each with its own sshd, as a real host) and client
 * namespaces on one bridge, private 10.77.0.0/24 addresses (and, with `ipv6`,
 * fd77::/64 ULAs) that exist only inside them. Every name carries the prefix `hvv<pid>`; everything is torn
 * down by dispose(), and also on exit and on SIGINT/SIGTERM.
 */
import { ensureDebianPackage } from './debian-package.js';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKey, SSHD_PATH, ensureSshdInstalled } from './sshd.js';

export const LAB_SUBNET = '10.77.0';
/** The lab's IPv6 prefix (a ULA /64): node n has `${LAB_SUBNET6}n`. */
export const LAB_SUBNET6 = 'fd77::';

export interface LabNode {
  /** Short role name: s1, s2, c1… */
  name: string;
  netns: string;
  /** Its address on the bridge (also its host name in configs). */
  address: string;
  /** With `ipv6`: its IPv6 address on the bridge (fd77::n), else null. */
  address6: string | null;
  /** The veth end on the bridge side (root namespace): down = the node is cut off. */
  bridgePort: string;
  /** PID of its sshd (servers; clients with clientSshd). */
  sshdPid: number | null;
}

export interface Lab {
  prefix: string;
  dir: string;
  /** Every node has an IPv6 address too (createLab's `ipv6`). */
  ipv6: boolean;
  servers: LabNode[];
  clients: LabNode[];
  /** With clientSshd: the path where each client sees its own tmpfs (and `hosts` file in it). */
  privateDir: string;
  /** Reads a file as a client's sshd (and what it runs) sees it, in its mount namespace. */
  readPrivate(node: LabNode, file: string): string;
  /** Private key that logs in as root on every SSH node; known_hosts has them all. */
  clientKeyFile: string;
  knownHostsFile: string;
  /** Runs `argv` inside a node's namespace; returns stdout (throws on a non-zero exit). */
  exec(node: LabNode, argv: string[], timeoutMs?: number): string;
  /** Like exec, but returns the exit status and output instead of throwing. */
  tryExec(
    node: LabNode,
    argv: string[],
    timeoutMs?: number,
  ): { status: number | null; stdout: string; stderr: string };
  /** Cuts a node off the bridge (its addresses, processes and VIP stay) or puts it back. */
  setLink(node: LabNode, up: boolean): void;
  /** The MAC address of a node's eth0. */
  mac(node: LabNode): string;
  /** Remembers a PID file whose process dispose() must kill. */
  trackPidFile(file: string): void;
  dispose(): void;
}

/** Runs a command in the root namespace, throwing with its stderr on failure. */
function run(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a command, ignoring failure (teardown of what may already be gone). */
function runQuietly(argv: string[]): void {
  spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
}

/** Kills a PID with SIGKILL, ignoring one that is gone. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Mounts a tmpfs on $1 (private to this mount namespace), seeds $1/hosts, then runs the rest (sshd). */
const PRIVATE_MOUNT =
  'mount -t tmpfs hvv-private "$1" && printf "127.0.0.1\\tlocalhost\\n" > "$1/hosts" && shift && exec "$@"';

/** sshd_config for a namespace sshd: port 22 on the node's address, keys from the lab dir. */
function sshdConfig(dir: string, node: string, address: string): string {
  return [
    `ListenAddress ${address}`,
    'Port 22',
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${path.join(dir, `sshd-${node}.pid`)}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'SetEnv SHLVL=1',
    'UseDNS no',
    'MaxStartups 100:30:200',
    '',
  ].join('\n');
}

/** Builds the lab: `servers` server namespaces with sshd and `clients` client namespaces. */
export async function createLab(options: {
  servers: number;
  clients: number;
  /**
   * Give clients an sshd too, each in a private mount namespace with its own tmpfs at
   * `lab.privateDir` holding a `hosts` file (so every client has a hosts file of its own).
   */
  clientSshd?: boolean;
  /**
   * Give every node an IPv6 ULA on eth0 too (fd77::n/64, `nodad` so it is usable at once), and
   * install na6 (ipv6toolkit), which announces IPv6 VIPs.
   */
  ipv6?: boolean;
}): Promise<Lab> {
  ensureSshdInstalled();
  ensureDebianPackage('/usr/sbin/ip', 'iproute2');
  ensureDebianPackage('/usr/sbin/arping', 'arping');
  const ipv6 = options.ipv6 === true;
  if (ipv6) ensureDebianPackage('/usr/sbin/na6', 'ipv6toolkit');
  mkdirSync('/run/sshd', { recursive: true });
  const prefix = `hvv${process.pid % 100000}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `ha-valet-${prefix}-`));
  const bridge = `${prefix}br`;
  const created: { netns: string[]; links: string[]; pids: number[]; pidFiles: string[] } = {
    netns: [],
    links: [],
    pids: [],
    pidFiles: [],
  };
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    for (const file of created.pidFiles) {
      const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
      if (Number.isInteger(pid) && pid > 1) killQuietly(pid);
    }
    for (const pid of created.pids) killQuietly(pid);
    for (const netns of created.netns) runQuietly(['ip', 'netns', 'del', netns]);
    for (const link of created.links) runQuietly(['ip', 'link', 'del', link]);
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', dispose);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    dispose();
    process.kill(process.pid, signal);
  };
  process.on('exit', dispose);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const clientKeyFile = path.join(dir, 'client_ed25519');
  const privateDir = path.join(dir, 'private');
  const knownHostsFile = path.join(dir, 'known_hosts');
  const nodes: LabNode[] = [];
  try {
    const hostKey = generateKey(path.join(dir, 'host_ed25519'));
    writeFileSync(path.join(dir, 'authorized_keys'), `${generateKey(clientKeyFile)}\n`);
    run(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    created.links.push(bridge);
    run(['ip', 'link', 'set', bridge, 'up']);
    const roles = [
      ...Array.from({ length: options.servers }, (_, i) => ({ name: `s${i + 1}`, host: i + 1 })),
      ...Array.from({ length: options.clients }, (_, i) => ({ name: `c${i + 1}`, host: 100 + i })),
    ];
    for (const role of roles) {
      const netns = `${prefix}${role.name}`;
      const port = `${prefix}${role.name}`;
      const address = `${LAB_SUBNET}.${role.host}`;
      run(['ip', 'netns', 'add', netns]);
      created.netns.push(netns);
      run(['ip', 'link', 'add', port, 'type', 'veth', 'peer', 'name', `${port}p`]);
      created.links.push(port);
      run(['ip', 'link', 'set', `${port}p`, 'netns', netns]);
      run(['ip', 'link', 'set', port, 'master', bridge, 'up']);
      const inNs = (...argv: string[]): string => run(['ip', 'netns', 'exec', netns, ...argv]);
      inNs('ip', 'link', 'set', `${port}p`, 'name', 'eth0');
      inNs('ip', 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      const address6 = ipv6 ? `${LAB_SUBNET6}${role.host}` : null;
      if (address6) inNs('ip', '-6', 'addr', 'add', `${address6}/64`, 'dev', 'eth0', 'nodad');
      inNs('ip', 'link', 'set', 'eth0', 'up');
      inNs('ip', 'link', 'set', 'lo', 'up');
      nodes.push({ name: role.name, netns, address, address6, bridgePort: port, sshdPid: null });
    }
    const withSshd = nodes.filter((n) => n.name.startsWith('s') || options.clientSshd);
    writeFileSync(knownHostsFile, withSshd.map((n) => `${n.address} ${hostKey}\n`).join(''));
    mkdirSync(privateDir);
    for (const server of withSshd) {
      const config = path.join(dir, `sshd-${server.name}.conf`);
      writeFileSync(config, sshdConfig(dir, server.name, server.address));
      const log = path.join(dir, `sshd-${server.name}.log`);
      const sshd = [SSHD_PATH, '-D', '-f', config, '-E', log];
      const argv = server.name.startsWith('s')
        ? sshd
        : ['unshare', '-m', 'sh', '-c', PRIVATE_MOUNT, 'sh', privateDir, ...sshd];
      const child = spawn('ip', ['netns', 'exec', server.netns, ...argv], {
        stdio: 'ignore',
        detached: true,
      });
      child.unref();
      if (child.pid === undefined) throw new Error(`sshd did not start in ${server.netns}`);
      server.sshdPid = child.pid;
      created.pids.push(child.pid);
    }
    await waitForSshd(withSshd, dir);
  } catch (error) {
    dispose();
    throw error;
  }

  const tryExec = (node: LabNode, argv: string[], timeoutMs = 20_000) => {
    const result = spawnSync('ip', ['netns', 'exec', node.netns, ...argv], {
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  };
  return {
    prefix,
    dir,
    ipv6,
    servers: nodes.filter((n) => n.name.startsWith('s')),
    clients: nodes.filter((n) => n.name.startsWith('c')),
    clientKeyFile,
    knownHostsFile,
    privateDir,
    readPrivate(node, file) {
      if (node.sshdPid === null) throw new Error(`${node.name} has no sshd`);
      return run(['nsenter', '-t', String(node.sshdPid), '-m', 'cat', file]);
    },
    exec(node, argv, timeoutMs = 20_000) {
      const result = tryExec(node, argv, timeoutMs);
      if (result.status !== 0)
        throw new Error(`${argv.join(' ')} in ${node.netns} exited ${result.status}: ${result.stderr}`);
      return result.stdout;
    },
    tryExec,
    setLink(node, up) {
      run(['ip', 'link', 'set', node.bridgePort, up ? 'up' : 'down']);
    },
    mac(node) {
      return readFileSyncInNs(node);
    },
    trackPidFile(file) {
      created.pidFiles.push(file);
    },
    dispose,
  };
}

/** eth0's MAC address inside a node's namespace. */
function readFileSyncInNs(node: LabNode): string {
  return run(['ip', 'netns', 'exec', node.netns, 'cat', '/sys/class/net/eth0/address']).trim();
}

/** Waits until every server's sshd logs that it listens. */
async function waitForSshd(servers: LabNode[], dir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (const server of servers) {
    const log = path.join(dir, `sshd-${server.name}.log`);
    while (!(existsSync(log) && readFileSync(log, 'utf8').includes('Server listening'))) {
      if (Date.now() > deadline) throw new Error(`sshd in ${server.netns} did not start listening`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
