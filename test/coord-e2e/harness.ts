/**
 * End-to-end world for issue 7: real etcd, real `ha-valet watch` child
 * processes and the demo service. All watchers run on this machine and share
 * the same local services, so two actors would show up as two starts or two
 * instances. Watchers are stopped with SIGTERM then SIGKILL, etcd with SIGKILL,
 * everything by PID.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ActiveMonitor, leaderOf, logsOf, waitFor, WatchProcess, watchArgs } from './watch-process.js';
import type { EtcdSettings } from '../../src/config/model.js';
import { EtcdCoordinator } from '../../src/coord/etcd-coordinator.js';
import type { CoordinationHealth, WatcherInfo } from '../../src/coord/coordinator.js';
import type { JournalEntry } from '../../src/state/model.js';
import { createDemoEnv, DEMO_SERVICE, type DemoEnv } from '../helpers/demo-env.js';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { cliMain } from '../helpers/paths.js';
import { runCliProcess, type CliResult } from '../helpers/run-cli.js';

export const TTL_MS = 2000;
export const INTERVAL_MS = 500;
export {
  ActiveMonitor,
  childrenOf,
  leaderOf,
  logsOf,
  sleep,
  waitFor,
  WatchProcess,
} from './watch-process.js';
export type { LogLine } from './watch-process.js';

/** One start attempt as the start template logged it: `begin|done HOST TAG`. */
export interface StartLine {
  phase: 'begin' | 'done';
  host: string;
  tag: string;
}

export interface World {
  etcd: EtcdCluster;
  demo: DemoEnv;
  settings: EtcdSettings;
  watchers: WatchProcess[];
  /** Spawns one more watcher, tagged `tag` (its start commands say so). */
  spawnWatcher(tag: string): WatchProcess;
  /** From now on the start template sleeps 1 s before starting (true) or not (false, the default). */
  slowStarts(slow: boolean): Promise<void>;
  /** Runs the CLI against the world's config. */
  cli(args: string[]): Promise<CliResult>;
  /** Every start the start template logged, oldest first. */
  starts(): Promise<StartLine[]>;
  /** The hosts whose demo server answers now. */
  upHosts(): Promise<string[]>;
  /** `ha-valet cluster --json`. */
  cluster(): Promise<{ health: CoordinationHealth; watchers: WatcherInfo[] }>;
  /** The journal's tail in etcd, read as another host would. */
  journal(): Promise<JournalEntry[]>;
  /** A coordinator of "another host", for operator requests. */
  operator(): EtcdCoordinator;
  /** Watches the demo servers until cleanup; `maxUp` is the most ever up at once. */
  monitor: ActiveMonitor;
  cleanup(): Promise<void>;
}

export interface WorldOptions {
  /** An etcd started by the caller (shared by several tests); else a fresh single member. */
  etcd?: EtcdCluster;
  /** Watchers to spawn at once (default 3). */
  watchers?: number;
  /** `lease_ttl` (default TTL_MS): longer keeps one leader through the load of a busy test machine. */
  leaseTtlMs?: number;
  /** Replace the test command template (given the demo dir); `$E2E_TAG` names the watcher running it. */
  test?: (dir: string) => string;
  /** Extra lines for [DEFAULT] and for the [Svc] section (given the demo dir and port). */
  defaults?: string[];
  extra?: (dir: string, port: number) => string[];
}

/** Waits for the first start to complete and returns the watcher that leads. */
export async function firstLeader(world: World): Promise<WatchProcess> {
  await waitFor(
    async () => (await world.starts()).some((s) => s.phase === 'done'),
    20_000,
    () => `no start completed\n${logsOf(world.watchers)}`,
  );
  return waitFor(
    () => leaderOf(world.watchers),
    5000,
    () => 'no leader',
  );
}

/**
 * A demo env coordinated through etcd under a random prefix, with `watchers`
 * `ha-valet watch --interval 0.5` processes. The start template writes
 * `begin HOST TAG` / `done HOST TAG` lines to `<demo dir>/starts` (TAG names the
 * watcher that ran it) and sleeps 1 s in between after `slowStarts(true)`.
 */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const ownEtcd = options.etcd === undefined;
  const etcd = options.etcd ?? (await startEtcd(1));
  const prefix = `/t-${randomBytes(6).toString('hex')}/`;
  const demo = await createDemoEnv({
    defaults: [
      'coordination = etcd',
      `etcd_endpoints = ${etcd.endpoints.join(',')}`,
      `lease_ttl = ${options.leaseTtlMs ?? TTL_MS}ms`,
      `etcd_prefix = ${prefix}`,
      ...(options.defaults ?? []),
    ],
    ...(options.test ? { test: options.test } : {}),
    ...(options.extra ? { extra: options.extra } : {}),
    start: (dir) =>
      `echo "begin {host} $E2E_TAG" >> ${dir}/starts; [ ! -e ${dir}/slow ] || sleep 1; ` +
      `HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} start {host} {port} && echo "done {host} $E2E_TAG" >> ${dir}/starts`,
  });
  const settings: EtcdSettings = {
    endpoints: etcd.endpoints,
    prefix,
    leaseTtlMs: options.leaseTtlMs ?? TTL_MS,
  };
  const operators: EtcdCoordinator[] = [];
  const upHosts = async (): Promise<string[]> => {
    const up = await Promise.all(demo.hosts.map((h) => demo.isUp(h)));
    return demo.hosts.filter((_, i) => up[i]);
  };
  const world: World = {
    etcd,
    demo,
    settings,
    watchers: [],
    spawnWatcher(tag) {
      const child = spawn(process.execPath, watchArgs(cliMain, demo.configPath, INTERVAL_MS / 1000), {
        env: { ...process.env, E2E_TAG: tag, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const watcher = new WatchProcess(tag, child);
      world.watchers.push(watcher);
      return watcher;
    },
    async slowStarts(slow) {
      const marker = path.join(demo.dir, 'slow');
      if (slow) await writeFile(marker, '');
      else await rm(marker, { force: true });
    },
    cli: (args) => runCliProcess(['-c', demo.configPath, ...args], { timeoutMs: 30_000 }),
    async starts() {
      let text = '';
      try {
        text = await readFile(path.join(demo.dir, 'starts'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [phase, host, tag] = line.split(' ');
          return { phase: phase as StartLine['phase'], host: host ?? '', tag: tag ?? '' };
        });
    },
    upHosts,
    async cluster() {
      const result = await world.cli(['cluster', '--json']);
      try {
        return JSON.parse(result.stdout) as { health: CoordinationHealth; watchers: WatcherInfo[] };
      } catch {
        throw new Error(`cluster --json printed no JSON (exit ${result.code}): ${result.stderr}`);
      }
    },
    async journal() {
      // Read as an operator on another host would: `ha-valet history --json` reads the etcd journal.
      const result = await world.cli(['history', '-p', 'Svc', '--json']);
      try {
        return JSON.parse(result.stdout) as JournalEntry[];
      } catch {
        throw new Error(`history --json printed no JSON (exit ${result.code}): ${result.stderr}`);
      }
    },
    operator() {
      const coordinator = new EtcdCoordinator(settings, { watcherId: 'ops@elsewhere' });
      operators.push(coordinator);
      return coordinator;
    },
    monitor: new ActiveMonitor(upHosts),
    async cleanup() {
      await world.monitor.stop();
      await Promise.all(world.watchers.map((w) => w.stop()));
      await Promise.all(operators.map((o) => o.close().catch(() => undefined)));
      await demo.cleanup();
      if (ownEtcd) await etcd.stop();
    },
  };
  for (let i = 0; i < (options.watchers ?? 3); i++) world.spawnWatcher(`w${i}`);
  return world;
}
