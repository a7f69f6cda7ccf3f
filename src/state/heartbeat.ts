/** The watcher's heartbeat file: status reads its age to tell whether a watcher is alive. */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

/** The heartbeat's file name in the state dir. */
export const HEARTBEAT_FILE = 'heartbeat.json';

export interface HeartbeatInfo {
  pid: number;
  /** When the watcher started (epoch ms). */
  startedAt: number;
  configPath: string;
  configHash: string;
  /** When this heartbeat was written (epoch ms). */
  at: number;
  /** How far behind schedule the watcher's cycles begin (absent from older watchers). */
  lag?: { lagging: number; total: number; worstMs: number; worstProcess: string | null };
  /** Checks made since the watcher started. */
  checksDone?: number;
  /**
   * When the connect helper last tallied the watched checks (epoch ms): the processes the
   * observation snapshot names as watched were checked until then, saying nothing new.
   */
  watchedCheckedAt?: number;
}

/** Writes the heartbeat atomically (throws StateStoreError when the disk refuses). */
export async function writeHeartbeat(path: string, info: HeartbeatInfo): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(info)}\n`);
}

/** Reads the heartbeat; null when missing or malformed. */
export async function readHeartbeat(path: string): Promise<HeartbeatInfo | null> {
  try {
    const value = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<HeartbeatInfo> | null;
    if (
      value &&
      Number.isInteger(value.pid) &&
      typeof value.startedAt === 'number' &&
      typeof value.configPath === 'string' &&
      typeof value.configHash === 'string' &&
      typeof value.at === 'number'
    ) {
      return {
        pid: value.pid!,
        startedAt: value.startedAt,
        configPath: value.configPath,
        configHash: value.configHash,
        at: value.at,
        ...(isLag(value.lag) ? { lag: value.lag } : {}),
        ...(typeof value.checksDone === 'number' ? { checksDone: value.checksDone } : {}),
      };
    }
    return null;
  } catch {
    return null;
  }
}

/** True for a well-formed lag record. */
function isLag(value: unknown): value is NonNullable<HeartbeatInfo['lag']> {
  const lag = value as HeartbeatInfo['lag'];
  return (
    typeof lag === 'object' &&
    lag !== null &&
    typeof lag.lagging === 'number' &&
    typeof lag.total === 'number' &&
    typeof lag.worstMs === 'number' &&
    (lag.worstProcess === null || typeof lag.worstProcess === 'string')
  );
}
