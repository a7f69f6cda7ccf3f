/**
 * `ha-valet cluster [--json]`: the coordination backend's view — who leads and
 * since when, each etcd member's reachability, and every watcher with its last
 * heartbeat. Exits 1 when coordination is lost.
 */
import type { Command } from 'commander';
import type { CoordinationHealth, WatcherInfo } from '../../coord/coordinator.js';
import { EXIT_NOT_UP } from '../../errors.js';
import type { GlobalOptions } from '../options.js';

interface ClusterOptions {
  json?: boolean;
}

/** Registers the cluster command. */
export function register(program: Command): void {
  program
    .command('cluster')
    .description('show the watchers, who leads, and each watcher’s last heartbeat')
    .option('--json', 'print {health, watchers} as JSON')
    .action(async (options: ClusterOptions) => {
      await runCluster(program.opts<GlobalOptions>(), options);
    });
}

/** Loads the config, asks the coordination backend and prints its view. */
async function runCluster(global: GlobalOptions, options: ClusterOptions): Promise<void> {
  const { loadConfigFromOptions } = await import('../../config/load-config.js');
  const { createCoordinator } = await import('../../coord/create-coordinator.js');
  const config = await loadConfigFromOptions(global);
  const coordinator = await createCoordinator(config, { watcherId: `cli:${process.pid}` });
  let watchers: WatcherInfo[] = [];
  let health: CoordinationHealth;
  try {
    health = await coordinator.refreshHealth();
    if (health.ok) watchers = await coordinator.watchers().catch(() => []);
  } finally {
    await coordinator.close();
  }
  const now = Date.now();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ health, watchers }, null, 2)}\n`);
  } else {
    process.stdout.write(formatCluster(health, watchers, now));
  }
  if (!health.ok) process.exitCode = EXIT_NOT_UP;
}

/** The human view: backend, leader, members, then one line per watcher. */
export function formatCluster(health: CoordinationHealth, watchers: WatcherInfo[], now: number): string {
  const lines = [`coordination: ${health.backend} — ${health.message}`];
  if (health.leader) {
    const since =
      health.leaderSince === null
        ? ''
        : ` since ${new Date(health.leaderSince).toISOString()} (${formatAge(now - health.leaderSince)} ago)`;
    lines.push(`leader: ${health.leader}${since}`);
  } else {
    lines.push('leader: none');
  }
  for (const member of health.members ?? []) {
    lines.push(`member: ${member.endpoint} ${member.reachable ? 'reachable' : 'UNREACHABLE'}`);
  }
  if (watchers.length === 0) {
    lines.push('watchers: none seen');
  } else {
    lines.push('watchers:');
    for (const w of watchers) {
      const age = formatAge(now - w.lastHeartbeat);
      lines.push(
        `  ${w.leader ? '*' : ' '} ${w.id}  host ${w.host}  pid ${w.pid}  last heartbeat ${age} ago${w.leader ? '  (leader)' : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** '850ms', '12s', '3m04s', '2h05m'. */
function formatAge(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 1000) return `${Math.round(safe)}ms`;
  const s = Math.floor(safe / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
