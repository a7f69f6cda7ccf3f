/**
 * The two supervisors of the soak: `ha-valet watch --interval 1` (the real CLI, bin/ha-valet, local
 * coordination) on one side, the naive bash loop (naive-loop.sh) on the other. Both are started in
 * their own process group with their output in a log file in the side's directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../test/helpers/paths.js';
import type { Side } from './side.js';

const CLI = path.join(repoRoot, 'bin', 'ha-valet');
const NAIVE_LOOP = path.join(repoRoot, 'bench', 'fault-soak', 'naive-loop.sh');

/** The settings; everything else is ha-valet's default. */
export const SOAK_SETTINGS = [
  'max_restarts = 1000',
  'restart_window = 10',
  'test_timeout = 3',
  'start_timeout = 5',
];

export interface Supervisor {
  name: string;
  child: ChildProcess;
  log: string;
  /** The command line, for the report. */
  command: string;
  /** Asks it to stop and waits (SIGKILL to its group after `graceMs`); how it ended. */
  stop(graceMs: number): Promise<string>;
}

/** The child's environment: without NODE_EXTRA_CA_CERTS, as under systemd or cron (see BENCHMARKS.md). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** The ha-valet config for `side`: one process over the side's hosts with the soak's settings. */
export function haValetConfig(side: Side): string {
  const command = (verb: string): string => `${verb} = bash ${side.script} ${verb} {host} {port} {rank}`;
  const ssh = side.ssh
    ? [
        'transport = ssh',
        `ssh_port = ${side.ssh.port}`,
        `ssh_user = ${side.ssh.user}`,
        `ssh_key = ${side.ssh.keyFile}`,
        `ssh_known_hosts = ${side.ssh.knownHostsFile}`,
      ]
    : [];
  return [
    '[DEFAULT]',
    `state_dir = ${side.dir}/state`,
    ...SOAK_SETTINGS,
    '',
    '[Svc]',
    `host = ${side.hosts[0]}`,
    `stand_by_list = ${side.hosts.join(',')}`,
    `port = ${side.port}`,
    ...ssh,
    command('start'),
    command('stop'),
    command('test'),
    '',
  ].join('\n');
}

/** Waits for the child to exit, SIGKILLs its process group after `graceMs`; how it ended. */
async function awaitExit(child: ChildProcess, graceMs: number): Promise<string> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }
  return child.signalCode ? `killed by ${child.signalCode}` : `exit ${child.exitCode}`;
}

/** Starts `command args` in its own process group, output to `log`. */
function launch(command: string, args: string[], log: string, env: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(log, 'a');
  return spawn(command, args, { stdio: ['ignore', fd, fd], env, detached: true });
}

/** Starts `ha-valet watch --interval 1` over `side` with the soak's config. */
export function startHaValet(side: Side): Supervisor {
  const config = path.join(side.dir, 'ha_valet.cfg');
  writeFileSync(config, haValetConfig(side));
  const args = [CLI, '-c', config, 'watch', '--interval', '1'];
  const log = path.join(side.dir, 'watch.log');
  const child = launch(process.execPath, args, log, childEnv());
  return {
    name: 'ha-valet',
    child,
    log,
    command: `bin/ha-valet -c ${config} watch --interval 1`,
    stop: (graceMs) => {
      child.kill('SIGTERM');
      return awaitExit(child, graceMs);
    },
  };
}

/** Starts the naive loop over `side`; it ends when its stop file appears. */
export function startNaiveLoop(side: Side): Supervisor {
  const stopFile = path.join(side.dir, 'naive.stop');
  const args = [NAIVE_LOOP, side.script, String(side.port), stopFile, ...side.hosts];
  const ssh: Record<string, string> = side.ssh
    ? {
        SSH_PORT: String(side.ssh.port),
        SSH_USER: side.ssh.user,
        SSH_KEY: side.ssh.keyFile,
        SSH_KNOWN_HOSTS: side.ssh.knownHostsFile,
      }
    : {};
  const log = path.join(side.dir, 'naive.log');
  const child = launch('bash', args, log, childEnv(ssh));
  return {
    name: 'naive loop',
    child,
    log,
    command: `bash bench/fault-soak/naive-loop.sh ${args.slice(1).join(' ')}${side.ssh ? ' (SSH_* set: over ssh)' : ''}`,
    stop: (graceMs) => {
      writeFileSync(stopFile, '');
      return awaitExit(child, graceMs);
    },
  };
}

/** The last `bytes` of a log file (for error messages). */
export function logTail(file: string, bytes = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

/** One line saying which settings the soak changes from ha-valet's defaults. */
export function haValetSettingsNote(): string {
  return `ha-valet settings: defaults except ${SOAK_SETTINGS.join(', ')} (interval from --interval 1)`;
}
