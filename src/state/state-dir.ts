/**
 * Where durable state lives. One state directory per machine (state_dir), and
 * inside it one sub-directory per config file, `<basename>-<hash>`, so two
 * configs never share a lock, a journal or state files.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toStateStoreError } from './atomic-file.js';
import { HEARTBEAT_FILE } from './heartbeat.js';

/** Files of one config's state, all inside `dir`. */
export interface StateLayout {
  dir: string;
  /** The state file of one process (what FileStateStore(dir) reads and writes). */
  statePath(process: string): string;
  journalPath: string;
  lockPath: string;
  heartbeatPath: string;
}

const STATE_SUFFIX = '.state.json';
const PLAIN_NAME_RE = /^[A-Za-z0-9_-]+$/;

/** The configured state_dir, else /var/lib/ha-valet as root, else $XDG_STATE_HOME/ha-valet, else ~/.local/state/ha-valet. */
export function resolveStateDir(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): string {
  if (configured) return path.resolve(configured);
  if (uid === 0) return '/var/lib/ha-valet';
  if (env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME))
    return path.join(env.XDG_STATE_HOME, 'ha-valet');
  return path.join(env.HOME || os.homedir(), '.local', 'state', 'ha-valet');
}

/** A short stable hash of the absolute config path (12 hex digits). */
export function configKey(configPath: string): string {
  return createHash('sha256').update(path.resolve(configPath)).digest('hex').slice(0, 12);
}

/** The sub-directory of `stateDir` that holds the state of `configPath`. */
export function configStateDir(stateDir: string, configPath: string): string {
  const base = path.basename(configPath).replace(/[^A-Za-z0-9._-]/g, '_') || 'config';
  return path.join(path.resolve(stateDir), `${base}-${configKey(configPath)}`);
}

/** The file name a process's state is stored under: safe for any process name, reversible. */
export function stateFileName(processName: string): string {
  if (PLAIN_NAME_RE.test(processName)) return `${processName}${STATE_SUFFIX}`; // nothing to encode
  const encoded = Array.from(Buffer.from(processName, 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `${encoded}${STATE_SUFFIX}`;
}

/** The process name of a state file name, or null when the name is not a state file. */
export function processOfStateFile(fileName: string): string | null {
  if (!fileName.endsWith(STATE_SUFFIX)) return null;
  const encoded = fileName.slice(0, -STATE_SUFFIX.length);
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(encoded)) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

/** The layout of `configPath`'s state under `stateDir`, creating the directory (mode 0750) if needed. */
export async function openStateLayout(stateDir: string, configPath: string): Promise<StateLayout> {
  const dir = configStateDir(stateDir, configPath);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw toStateStoreError(error, 'create', dir);
  }
  return describeStateLayout(dir);
}

/** The layout of an existing per-config directory, without touching the disk. */
export function describeStateLayout(dir: string): StateLayout {
  return {
    dir,
    statePath: (processName: string) => path.join(dir, stateFileName(processName)),
    journalPath: path.join(dir, 'journal.jsonl'),
    lockPath: path.join(dir, 'pass.lock'),
    heartbeatPath: path.join(dir, HEARTBEAT_FILE),
  };
}
