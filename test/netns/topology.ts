/**
 * A private network for one test process, built from Linux network namespaces:
 * one namespace per node (watcher, service host, etcd member, client), each
 * with loopback up and one veth into a bridge that lives in a namespace of its
 * own, so nothing touches the root namespace's networking. Addresses come from
 * 10.213.<n>.0/24 and exist only inside these namespaces. Partitions are
 * nftables rules inside the node namespaces (drop both ways between chosen
 * pairs); healing deletes them. Every name carries the test's PID. Teardown
 * kills every process left in the namespaces (all of them ours) and deletes
 * the namespaces; it also runs on exit, SIGINT and SIGTERM.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** One node of the network: its namespace and address. */
export interface NetNode {
  name: string;
  ns: string;
  address: string;
}

/** Runs `ip ARGS…` (or another tool), throwing with its stderr on failure. */
function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs a command, ignoring failure (teardown of something maybe already gone). */
function runQuietly(command: string, args: string[]): string {
  try {
    return run(command, args);
  } catch {
    return '';
  }
}

const live = new Set<Topology>();
let hooksInstalled = false;

/** Tears down every topology still alive when the process exits or is interrupted. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const teardownAll = (): void => {
    for (const topology of live) topology.destroy();
  };
  process.on('exit', teardownAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      teardownAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export class Topology {
  readonly prefix: string;
  readonly subnet: string;
  readonly nodes = new Map<string, NetNode>();
  private readonly bridgeNs: string;
  /** Blocked pairs, as "a|b" with a < b. */
  private readonly blocked = new Set<string>();
  private destroyed = false;

  /**
   * Builds the bridge and one namespace per name in `names` (addresses .10 upwards, in order).
   * `tag` (a few letters) names the suite; the PID is added.
   */
  constructor(tag: string, names: string[]) {
    this.prefix = `${tag}${process.pid}`;
    const octet = (process.pid % 250) + 1;
    this.subnet = `10.213.${octet}`;
    this.bridgeNs = `${this.prefix}-br`;
    installExitHooks();
    live.add(this);
    try {
      run('ip', ['netns', 'add', this.bridgeNs]);
      run('ip', ['-n', this.bridgeNs, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
      run('ip', ['-n', this.bridgeNs, 'link', 'set', 'br0', 'up']);
      names.forEach((name, index) => this.addNode(name, `${this.subnet}.${10 + index}`));
    } catch (error) {
      this.destroy();
      throw error;
    }
  }

  /** Creates one node namespace with a veth into the bridge. */
  private addNode(name: string, address: string): void {
    if (!/^[a-z][a-z0-9]{0,7}$/.test(name)) throw new Error(`bad node name ${name}`);
    const ns = `${this.prefix}-${name}`;
    this.nodes.set(name, { name, ns, address });
    run('ip', ['netns', 'add', ns]);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', [
      '-n',
      this.bridgeNs,
      'link',
      'add',
      `v${name}`,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      ns,
    ]);
    run('ip', ['-n', this.bridgeNs, 'link', 'set', `v${name}`, 'master', 'br0', 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  }

  /** The node called `name`. */
  node(name: string): NetNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  /** Address of node `name`. */
  address(name: string): string {
    return this.node(name).address;
  }

  /** The node whose address is `address`. */
  byAddress(address: string): NetNode | undefined {
    return [...this.nodes.values()].find((n) => n.address === address);
  }

  /** Spawns COMMAND ARGS inside node `name`'s namespace (`ip netns exec` execs it: same PID). */
  spawnIn(name: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.node(name).ns, command, ...args], options);
  }

  /** Runs COMMAND ARGS inside node `name`'s namespace and returns its stdout (throws on failure). */
  execIn(name: string, command: string, args: string[]): string {
    return run('ip', ['netns', 'exec', this.node(name).ns, command, ...args]);
  }

  /** PIDs of every process in node `name`'s namespace. */
  pidsIn(name: string): number[] {
    return runQuietly('ip', ['netns', 'pids', this.node(name).ns])
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  }

  /** Blocks all traffic between every node of `a` and every node of `b` (both ways). */
  cut(a: string[], b: string[]): void {
    this.addCuts(a, b);
    this.apply();
  }

  /** Records the pairs between `a` and `b` as blocked (applied by the caller). */
  private addCuts(a: string[], b: string[]): void {
    for (const x of a) for (const y of b) if (x !== y) this.blocked.add(pairKey(x, y));
  }

  /** Splits the network into `groups`: nodes in different groups cannot talk; unlisted nodes reach everyone. */
  partition(groups: string[][]): void {
    this.blocked.clear();
    groups.forEach((group, i) => groups.slice(i + 1).forEach((other) => this.addCuts(group, other)));
    this.apply();
  }

  /** Removes every partition rule. */
  heal(): void {
    this.blocked.clear();
    this.apply();
  }

  /** The blocked pairs now, for messages. */
  describeCuts(): string {
    return [...this.blocked].sort().join(' ') || 'none';
  }

  /** Writes each node's nftables table from the blocked pairs (one atomic `nft -f` per node). */
  private apply(): void {
    for (const node of this.nodes.values()) {
      const peers = [...this.blocked]
        .map((key) => key.split('|'))
        .filter((pair) => pair.includes(node.name))
        .map((pair) => this.address(pair[0] === node.name ? pair[1]! : pair[0]!));
      const lines = ['add table inet hvpart', 'delete table inet hvpart'];
      if (peers.length > 0) {
        const set = `{ ${peers.join(', ')} }`;
        lines.push(
          'table inet hvpart {',
          `  chain in { type filter hook input priority 0; policy accept; ip saddr ${set} drop; }`,
          `  chain out { type filter hook output priority 0; policy accept; ip daddr ${set} drop; }`,
          '}',
        );
      }
      run('ip', ['netns', 'exec', node.ns, 'nft', '-f', '-'], lines.join('\n') + '\n');
    }
  }

  /** Kills every process in the namespaces and deletes them. Safe to call twice; synchronous. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    const all = [...[...this.nodes.values()].map((n) => n.ns), this.bridgeNs];
    // A dying watcher may still spawn a child: sweep a few times.
    for (let round = 0; round < 3; round++) {
      for (const ns of all) {
        for (const pid of runQuietly('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }
    }
    for (const ns of all) runQuietly('ip', ['netns', 'del', ns]);
  }
}

/** "a|b" with the names sorted. */
function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
