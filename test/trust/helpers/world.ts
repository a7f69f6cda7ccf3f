/**
 * Real files for the trust tests: a throwaway second user (useradd, removed at
 * the end), and a small world per test — a config in its own directory whose
 * start command leaves a marker file, so "nothing ran" is something to assert.
 */
import { after, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliProcess, type CliOptions, type CliResult } from '../../helpers/run-cli.js';

export interface OtherUser {
  name: string;
  uid: number;
  gid: number;
  /** Removes the user (also run on exit). */
  remove(): void;
}

/** Creates a user nobody else uses (`hvt<pid>`), without a home; removed on exit too. */
export function createOtherUser(): OtherUser {
  if (process.geteuid?.() !== 0) throw new Error('the trust tests create a second user: run them as root');
  const name = `hvt${process.pid}`;
  execFileSync('useradd', ['-M', '-N', '-s', '/usr/sbin/nologin', name]);
  const remove = (): void => {
    try {
      execFileSync('userdel', [name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  process.once('exit', remove);
  const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g'), remove };
}

export interface World {
  dir: string;
  /** The config file, mode 0644, in `dir/etc` (mode 0755). */
  config: string;
  stateDir: string;
  /** Created by the start command of [Svc]. */
  started: string;
  /** Created by the stop command of [Svc]. */
  stopped: string;
  cleanup(): void;
}

/**
 * A config with one local process [Svc] (down until started: its test looks for
 * the marker) and `extra` text appended (more sections or [DEFAULT] keys).
 */
export function createWorld(options: { extra?: string; defaults?: string; parent?: string } = {}): World {
  const dir = mkdtempSync(path.join(options.parent ?? os.tmpdir(), 'hv-trust-'));
  chmodSync(dir, 0o755);
  const etc = path.join(dir, 'etc');
  mkdirSync(etc);
  chmodSync(etc, 0o755);
  const config = path.join(etc, 'ha_valet.cfg');
  const stateDir = path.join(dir, 'state');
  const started = path.join(dir, 'started');
  const stopped = path.join(dir, 'stopped');
  const text = [
    '[DEFAULT]',
    `state_dir = ${stateDir}`,
    'start_timeout = 5s',
    ...(options.defaults ? [options.defaults] : []),
    '',
    '[Svc]',
    'host = 127.0.0.1',
    `start = touch ${started}`,
    `stop = rm -f ${started} && touch ${stopped}`,
    `test = test -e ${started} && exit 1; exit 0`,
    '',
    options.extra ?? '',
  ].join('\n');
  writeFile(config, text, 0o644);
  return {
    dir,
    config,
    stateDir,
    started,
    stopped,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes `text` to `file` with exactly `mode` (whatever the umask). */
export function writeFile(file: string, text: string, mode: number): void {
  writeFileSync(file, text);
  chmodSync(file, mode);
}

/** Runs the CLI with the trust check at its default (enforce), whatever this shell sets. */
export function runAs(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCliProcess(args, { ...options, env: { HA_VALET_TRUST_CHECK: '', ...options.env } });
}

/**
 * Registers before/after hooks for a test file: the second user is created
 * before its tests and removed after them, with every world made by `world()`.
 */
export function useTrustFixtures(): {
  other(): OtherUser;
  world(options?: Parameters<typeof createWorld>[0]): World;
} {
  let other: OtherUser | null = null;
  const worlds: World[] = [];
  before(() => {
    other = createOtherUser();
  });
  after(() => {
    for (const w of worlds) w.cleanup();
    other?.remove();
  });
  return {
    other: () => other!,
    world: (options) => {
      const w = createWorld(options);
      worlds.push(w);
      return w;
    },
  };
}
