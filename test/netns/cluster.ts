/**
 * The partition world of issue 12 on a Topology: three etcd members, service
 * hosts with an sshd each (the watchers reach them only over the network, so a
 * partition cuts tests, starts and stops as in real life), `ha-valet watch`
 * processes each in its own namespace, and a client namespace sampling every
 * 100 ms which host's instance answers. The fence is out of band: a script run
 * on the acting watcher that "powers off" a host by killing every process in
 * its namespace (like IPMI), or fails, as the scenario wants.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ETCD_BIN, ensureEtcdInstalled, etcdArgs } from '../helpers/etcd.js';
import { cliMain, repoRoot } from '../helpers/paths.js';
import { startTestSshd, type TestSshd } from '../helpers/sshd.js';
import { WatchProcess, leaderOf, sleep, waitFor, watchArgs } from '../coord-e2e/watch-process.js';
import type { JournalEntry } from '../../src/state/model.js';
import { Topology } from './topology.js';

export const SERVICE_PORT = 7000;
export const LEASE_TTL_MS = 2000;
const ETCD_CLIENT_PORT = 12379;
const ETCD_PEER_PORT = 12380;
const SAMPLER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client-sampler.js');
const DEMO_SERVICE = path.join(repoRoot, 'config', 'demo', 'demo-service.mjs');

/** One sample of the client: when, and which hosts' instances answered. */
export interface Sample {
  t: number;
  up: string[];
}

/** What a fence does in this scenario: kill the host (works), exit 1 (fails), or no `fence` key at all. */
export type FenceMode = 'works' | 'fails' | 'none';

export interface ClusterOptions {
  /** Short tag for namespace names (default 'hvn'). */
  tag?: string;
  watchers?: number;
  hosts?: number;
}

/** Result of a CLI run inside a namespace. */
export interface NsCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class PartitionCluster {
  readonly dir: string;
  readonly watcherNames: string[];
  readonly hostNames: string[];
  readonly etcdNames = ['e1', 'e2', 'e3'];
  readonly watchers = new Map<string, WatchProcess>();
  readonly samples: Sample[] = [];
  private readonly sshds = new Map<string, TestSshd>();
  private prefixCount = 0;
  private prefix = '';
  private fenceMode: FenceMode = 'none';
  /** When the current scenario began (its watchers started). */
  private scenarioStart = 0;

  private constructor(
    readonly topology: Topology,
    watchers: number,
    hosts: number,
  ) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), `ha-valet-${topology.prefix}-`));
    this.watcherNames = Array.from({ length: watchers }, (_, i) => `w${i + 1}`);
    this.hostNames = Array.from({ length: hosts }, (_, i) => `h${i + 1}`);
  }

  /** Builds the network, starts etcd, the sshds and the client sampler. */
  static async start(options: ClusterOptions = {}): Promise<PartitionCluster> {
    ensureEtcdInstalled();
    const watchers = options.watchers ?? 3;
    const hosts = options.hosts ?? 2;
    const names = [
      ...Array.from({ length: watchers }, (_, i) => `w${i + 1}`),
      ...Array.from({ length: hosts }, (_, i) => `h${i + 1}`),
      'e1',
      'e2',
      'e3',
      'c',
    ];
    const topology = new Topology(options.tag ?? 'hvn', names);
    const cluster = new PartitionCluster(topology, watchers, hosts);
    try {
      await cluster.startEtcd();
      await cluster.startSshds();
      cluster.writeFenceScript();
      cluster.startSampler();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** Address of node `name` (h1, w2, …). */
  address(name: string): string {
    return this.topology.address(name);
  }

  /** Node name of a host address. */
  hostName(address: string): string {
    return this.topology.byAddress(address)?.name ?? address;
  }

  /** Starts the three etcd members, each in its own namespace, and waits until the cluster is healthy. */
  private async startEtcd(): Promise<void> {
    const members = this.etcdNames.map((name) => ({
      name,
      dataDir: path.join(this.dir, `etcd-${name}`),
      clientUrl: `http://${this.address(name)}:${ETCD_CLIENT_PORT}`,
      peerUrl: `http://${this.address(name)}:${ETCD_PEER_PORT}`,
    }));
    const initial = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
    for (const member of members) {
      const log = path.join(this.dir, `etcd-${member.name}.log`);
      const child = this.topology.spawnIn(
        member.name,
        ETCD_BIN,
        etcdArgs(member, initial, this.topology.prefix),
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      child.stderr?.on('data', (chunk: Buffer) => appendFileSync(log, chunk));
    }
    await waitFor(
      () => members.every((m) => this.curlFromClient(`${m.clientUrl}/health`).includes('"true"')),
      30_000,
      () => `etcd in namespaces did not become healthy (logs in ${this.dir})`,
    );
  }

  /** The etcd endpoints for ha-valet. */
  get endpoints(): string[] {
    return this.etcdNames.map((name) => `http://${this.address(name)}:${ETCD_CLIENT_PORT}`);
  }

  /** GETs a URL from the client namespace; '' when it fails. */
  private curlFromClient(url: string): string {
    try {
      return this.topology.execIn('c', 'curl', ['-s', '-m', '1', url]);
    } catch {
      return '';
    }
  }

  /** One sshd per host namespace on port 22; one client key and one known_hosts for all. */
  private async startSshds(): Promise<void> {
    for (const host of this.hostNames) {
      const sshd = await startTestSshd({
        netns: this.topology.node(host).ns,
        addresses: [this.address(host)],
        port: 22,
      });
      this.sshds.set(host, sshd);
    }
    const first = this.sshds.get(this.hostNames[0]!)!;
    const clientPublic = readFileSync(`${first.clientKeyFile}.pub`, 'utf8');
    const knownHosts = [...this.sshds.values()].map((s) => readFileSync(s.knownHostsFile, 'utf8')).join('');
    writeFileSync(path.join(this.dir, 'known_hosts'), knownHosts);
    for (const sshd of this.sshds.values()) {
      if (sshd !== first) appendFileSync(path.join(sshd.dir, 'authorized_keys'), clientPublic);
    }
  }

  /**
   * fence.sh HOST: with fence-mode "works", powers HOST off (kills every
   * process in its namespace, link down) and logs `ms HOST` to fences; else exits 1.
   */
  private writeFenceScript(): void {
    const map = this.hostNames.map((h) => `${this.address(h)} ${this.topology.node(h).ns}`).join('\n');
    writeFileSync(path.join(this.dir, 'hosts'), `${map}\n`);
    const script = [
      '#!/bin/sh',
      '# Test fence: powers off host $1 out of band (like IPMI): every process in its namespace',
      '# is killed and its link goes down. `fence.sh --power-off HOST` does it whatever the mode.',
      `dir=${this.dir}`,
      'if [ "$1" = --power-off ]; then shift; else',
      '  [ "$(cat "$dir/fence-mode")" = works ] || { echo "fence: power controller refuses" >&2; exit 1; }',
      '  fenced=1',
      'fi',
      'ns=$(awk -v h="$1" \'$1 == h { print $2 }\' "$dir/hosts")',
      '[ -n "$ns" ] || { echo "fence: unknown host $1" >&2; exit 2; }',
      'pids=$(ip netns pids "$ns")',
      '[ -z "$pids" ] || kill -KILL $pids',
      'ip -n "$ns" link set eth0 down',
      '[ -z "$fenced" ] || echo "$(date +%s%3N) $1" >> "$dir/fences"',
    ];
    writeFileSync(path.join(this.dir, 'fence.sh'), script.join('\n') + '\n');
    chmodSync(path.join(this.dir, 'fence.sh'), 0o755);
  }

  /** Starts the sampler in the client namespace; its lines go to `samples`. */
  private startSampler(): void {
    const hosts = this.hostNames.map((h) => this.address(h));
    const child = this.topology.spawnIn('c', process.execPath, [SAMPLER, String(SERVICE_PORT), ...hosts], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const raw = JSON.parse(line) as Sample;
      this.samples.push({ t: raw.t, up: raw.up.map((a) => this.hostName(a)) });
    });
  }

  /** The config a watcher (or the client's CLI) reads. */
  private configText(stateName: string): string {
    const svcDir = path.join(this.dir, 'svc');
    const hosts = this.hostNames.map((h) => this.address(h));
    const fence =
      this.fenceMode === 'none'
        ? []
        : [`fence = ${path.join(this.dir, 'fence.sh')} {host}`, 'fence_timeout = 10s'];
    return [
      '[DEFAULT]',
      `state_dir = ${path.join(this.dir, `state-${stateName}`)}`,
      'coordination = etcd',
      `etcd_endpoints = ${this.endpoints.join(',')}`,
      `etcd_prefix = ${this.prefix}`,
      `lease_ttl = ${LEASE_TTL_MS / 1000}s`,
      'transport = ssh',
      'ssh_port = 22',
      `ssh_user = ${os.userInfo().username}`,
      `ssh_key = ${this.sshds.get(this.hostNames[0]!)!.clientKeyFile}`,
      `ssh_known_hosts = ${path.join(this.dir, 'known_hosts')}`,
      'connect_timeout = 2s',
      'test_timeout = 2s',
      'start_timeout = 8s',
      'stop_timeout = 5s',
      'min_uptime = 0s',
      'backoff_initial = 1s',
      ...fence,
      '',
      '[Svc]',
      `host = ${hosts[0]}`,
      `stand_by_list = ${hosts.join(',')}`,
      `port = ${SERVICE_PORT}`,
      `start = echo "$(date +%s%3N) {host}" >> ${this.dir}/starts; HA_VALET_DEMO_DIR=${svcDir} ${process.execPath} ${DEMO_SERVICE} start {host} {port}`,
      `stop = HA_VALET_DEMO_DIR=${svcDir} ${process.execPath} ${DEMO_SERVICE} stop {host} {port}`,
      `test = bash -c 'exec 3<>/dev/tcp/{host}/{port} && read -t 2 reply <&3 && [ "$reply" = "ok {host}" ]' 2>/dev/null && exit {rank}; exit 0`,
      '',
    ].join('\n');
  }

  /** Path of the config of `who` (a watcher name or 'c'). */
  configPath(who: string): string {
    return path.join(this.dir, `ha_valet-${who}.cfg`);
  }

  /**
   * Starts a scenario from a clean slate: no partitions, no watchers, no
   * service instance, every host powered on, a fresh etcd prefix (fresh shared
   * state and journal), configs written with `fence`, then the watchers.
   */
  async beginScenario(fence: FenceMode): Promise<number> {
    this.topology.heal();
    await Promise.all([...this.watchers.values()].map((w) => w.kill()));
    this.watchers.clear();
    for (const host of this.hostNames) {
      this.killService(host);
      await this.powerOn(host);
    }
    rmSync(path.join(this.dir, 'svc'), { recursive: true, force: true });
    const cleared = Date.now();
    await waitFor(
      () =>
        this.samplesSince(cleared).length >= 3 && this.samplesSince(cleared).every((s) => s.up.length === 0),
      10_000,
      () =>
        `an instance still answers after the reset: ${JSON.stringify(this.samples.slice(-3))} ${this.describeHosts()}`,
    );
    this.prefixCount += 1;
    this.prefix = `/hv-${this.topology.prefix}-s${this.prefixCount}/`;
    this.fenceMode = fence;
    writeFileSync(path.join(this.dir, 'fence-mode'), `${fence}\n`);
    for (const who of [...this.watcherNames, 'c']) writeFileSync(this.configPath(who), this.configText(who));
    this.scenarioStart = Date.now();
    for (const name of this.watcherNames) this.startWatcher(name);
    return this.scenarioStart;
  }

  /** Spawns `ha-valet watch --interval 1` in watcher `name`'s namespace. */
  startWatcher(name: string): WatchProcess {
    const child = this.topology.spawnIn(
      name,
      process.execPath,
      watchArgs(cliMain, this.configPath(name), 1),
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const watcher = new WatchProcess(name, child);
    this.watchers.set(name, watcher);
    return watcher;
  }

  /** The watcher that leads now by its own log, or null. */
  leader(): WatchProcess | null {
    return leaderOf([...this.watchers.values()]);
  }

  /** Waits until a watcher leads and the client has seen only `host` answering for `stableMs`. */
  async waitSettled(host: string, timeoutMs = 40_000, stableMs = 2000): Promise<WatchProcess> {
    await waitFor(
      () => {
        const recent = this.samplesSince(Math.max(this.scenarioStart, Date.now() - stableMs));
        return (
          Date.now() - this.scenarioStart >= stableMs &&
          recent.length >= stableMs / 200 &&
          recent.every((s) => s.up.length === 1 && s.up[0] === host)
        );
      },
      timeoutMs,
      () =>
        `the client did not see only ${host} answering; last samples ${JSON.stringify(this.samples.slice(-3))}\n${this.logs()}`,
    );
    return waitFor(
      () => this.leader(),
      timeoutMs,
      () => `no leader\n${this.logs()}`,
    );
  }

  /** Every process in every host namespace, for messages. */
  private describeHosts(): string {
    return this.hostNames
      .map(
        (h) =>
          `${h}: ${this.topology
            .pidsIn(h)
            .map((pid) => `${pid} ${readCmdline(pid).join(' ')}`)
            .join('; ')}`,
      )
      .join('\n');
  }

  /** Kills the service instance on `host` (a crash), leaving the host itself up. */
  killService(host: string): void {
    for (const pid of this.topology.pidsIn(host)) {
      if (!readCmdline(pid).includes('serve')) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /** Powers `host` off: every process in its namespace dies (sshd included) and its link goes down. */
  async powerOff(host: string): Promise<void> {
    await this.sshds.get(host)!.stop();
    // Run from here, not inside the host: the script kills every process in the host's namespace.
    execFileSync('sh', [path.join(this.dir, 'fence.sh'), '--power-off', this.address(host)], {
      stdio: 'ignore',
    });
  }

  /** True while `host` is powered on (its sshd runs). */
  isOn(host: string): boolean {
    return this.sshds.get(host)!.pid !== null;
  }

  /** Powers `host` on again: link up, sshd running, no service instance. */
  async powerOn(host: string): Promise<void> {
    this.topology.execIn(host, 'ip', ['link', 'set', 'eth0', 'up']);
    await this.sshds.get(host)!.start();
  }

  /** Runs `ha-valet ARGS` in the client namespace with the client's config. */
  async cli(args: string[], timeoutMs = 30_000): Promise<NsCliResult> {
    const child = this.topology.spawnIn(
      'c',
      process.execPath,
      [cliMain, '-c', this.configPath('c'), ...args],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  /** The shared journal of this scenario, oldest first, read from etcd in the client namespace. */
  async journal(): Promise<JournalEntry[]> {
    const result = await this.cli(['history', '-p', 'Svc', '--json', '--limit', '5000']);
    try {
      return (JSON.parse(result.stdout) as JournalEntry[]).map((e) => ({
        ...e,
        host: e.host ? this.hostName(e.host) : e.host,
      }));
    } catch {
      throw new Error(`history --json printed no JSON (exit ${result.code}): ${result.stderr}`);
    }
  }

  /** Every start the start command logged since `since`: [ms, host name]. */
  starts(since = 0): Array<[number, string]> {
    return this.timedHostLines('starts', since);
  }

  /** Every fence that really ran (fence.sh's own log) since `since`: [ms, host name]. */
  fences(since = 0): Array<[number, string]> {
    return this.timedHostLines('fences', since);
  }

  /** Lines `MS ADDRESS` of a file in the world's dir since `since`, as [ms, host name]. */
  private timedHostLines(file: string, since: number): Array<[number, string]> {
    return readLines(path.join(this.dir, file))
      .map((line): [number, string] => {
        const [t, host] = line.split(' ');
        return [Number(t), this.hostName(host ?? '')];
      })
      .filter(([t]) => t >= since);
  }

  /** Samples taken since `since`. */
  samplesSince(since: number): Sample[] {
    return this.samples.filter((s) => s.t >= since);
  }

  /** Every watcher's log (the last `chars` of each), for assertion messages. */
  logs(chars = 6000): string {
    return [...this.watchers.values()]
      .map((w) => `--- ${w.tag} (pid ${w.pid}) ---\n${w.text().slice(-chars)}`)
      .join('\n');
  }

  /** Stops everything (every process in the namespaces) and deletes the namespaces and files. */
  async destroy(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.kill()));
    for (const sshd of this.sshds.values()) await sshd.dispose();
    this.topology.destroy();
    await sleep(0);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Non-empty lines of a file, [] when it does not exist. */
function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The arguments of process `pid`, [] when it is gone. */
function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}
