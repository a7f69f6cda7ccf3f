/**
 * Operator requests handed to whoever acts next: `move`, `start`, `stop`,
 * `maintenance`, `reset` write a request file; the watcher (or the command's
 * own pass when no watcher runs) claims it at the start of that process's pass.
 * Claiming renames the file first, so a request is carried out once.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { OperatorRequest } from './model.js';
import { writeFileAtomic } from './atomic-file.js';
import { stateFileName } from './state-dir.js';

/** The request file of `process` in the config's state dir. */
function requestPath(dir: string, process: string): string {
  return path.join(dir, stateFileName(process).replace(/\.state\.json$/, '.request.json'));
}

/** Leaves `request` for the next pass over `process` (replacing an older one). */
export async function putRequest(dir: string, process: string, request: OperatorRequest): Promise<void> {
  await writeFileAtomic(requestPath(dir, process), `${JSON.stringify(request)}\n`);
}

/** Claims the waiting request of `process`, or null; a malformed file is dropped. */
export async function takeRequest(dir: string, process: string): Promise<OperatorRequest | null> {
  const file = requestPath(dir, process);
  // Asked every cycle of every process and nearly always absent: a failing rename costs an exception.
  if (!existsSync(file)) return null;
  const claimed = `${file}.claimed-${globalThis.process.pid}`;
  try {
    await fs.rename(file, claimed);
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(await fs.readFile(claimed, 'utf8')) as OperatorRequest;
    return typeof parsed?.type === 'string' ? parsed : null;
  } catch {
    return null;
  } finally {
    await fs.rm(claimed, { force: true });
  }
}

/** Whether a request for `process` is waiting (for status). */
export async function hasRequest(dir: string, process: string): Promise<boolean> {
  return fs
    .access(requestPath(dir, process))
    .then(() => true)
    .catch(() => false);
}
