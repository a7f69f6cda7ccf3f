/**
 * Operator requests handed to whoever acts next: `move`, `start`, `stop`,
 * `maintenance`, `reset` write a request file; the watcher (or the command's
 * own pass when no watcher runs) claims it at the start of that process's pass.
 * Claiming renames the file first, so a request is carried out once.
 */
import { constants, lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { OperatorRequest } from './model.js';
import { writeFileAtomic } from './atomic-file.js';
import { stateFileName } from './state-dir.js';

/** The request file of `process` in the config's state dir. */
function requestPath(dir: string, process: string): string {
  return path.join(dir, requestFileName(process));
}

/** The name of the request file of `process` in the state directory. */
export function requestFileName(process: string): string {
  return stateFileName(process).replace(/\.state\.json$/, '.request.json');
}

/** Leaves `request` for the next pass over `process` (replacing an older one). */
export async function putRequest(dir: string, process: string, request: OperatorRequest): Promise<void> {
  await writeFileAtomic(requestPath(dir, process), `${JSON.stringify(request)}\n`);
}

/** A claimed request file: who owned it, what it was, and the request when it was a regular file that parsed. */
export interface TakenRequest {
  file: string;
  uid: number;
  kind: 'file' | 'symlink' | 'other';
  request: OperatorRequest | null;
}

/**
 * Claims the waiting request file of `process`, or null when there is none.
 * Read through O_NOFOLLOW: a symlink is reported as one, never followed. The
 * caller decides whether its owner may ask (coord/local-coordinator.ts).
 */
export async function takeRequest(dir: string, process: string): Promise<TakenRequest | null> {
  const file = requestPath(dir, process);
  // Asked every cycle of every process and nearly always absent: a failing rename costs an exception.
  // lstat, not exists: a symlink (even a dangling one) is claimed and reported, never followed.
  if (lstatSync(file, { throwIfNoEntry: false }) === undefined) return null;
  const claimed = `${file}.claimed-${globalThis.process.pid}`;
  try {
    await fs.rename(file, claimed);
  } catch {
    return null;
  }
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(claimed, constants.O_RDONLY | constants.O_NOFOLLOW);
    const stats = await handle.stat();
    if (!stats.isFile()) return { file, uid: stats.uid, kind: 'other', request: null };
    return { file, uid: stats.uid, kind: 'file', request: parseRequest(await handle.readFile('utf8')) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') return null;
    const link = await fs.lstat(claimed).catch(() => null);
    return link ? { file, uid: link.uid, kind: 'symlink', request: null } : null;
  } finally {
    await handle?.close().catch(() => undefined);
    await fs.rm(claimed, { force: true });
  }
}

/** The request in a file's text; null when malformed (the file is dropped). */
function parseRequest(text: string): OperatorRequest | null {
  try {
    const parsed = JSON.parse(text) as OperatorRequest;
    return typeof parsed?.type === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** Whether a request for `process` is waiting (for status). */
export async function hasRequest(dir: string, process: string): Promise<boolean> {
  return fs
    .access(requestPath(dir, process))
    .then(() => true)
    .catch(() => false);
}
