/**
 * Operator requests handed to whoever acts next: `move`, `start`, `stop`,
 * `maintenance`, `reset` write a request file; the watcher (or the command's
 * own pass when no watcher runs) claims it at the start of that process's pass.
 * Claiming renames the file first, so a request is carried out once.
 */
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { OperatorRequest } from './model.js';
import { writeFileAtomic } from './atomic-file.js';
import { stateFileName } from './state-dir.js';
import { idNames } from '../trust/read-facts.js';
import { describeUser, isTrustedOwner } from '../trust/rules.js';

/** The request file of `process` in the config's state dir. */
function requestPath(dir: string, process: string): string {
  return path.join(dir, stateFileName(process).replace(/\.state\.json$/, '.request.json'));
}

/** Leaves `request` for the next pass over `process` (replacing an older one). */
export async function putRequest(dir: string, process: string, request: OperatorRequest): Promise<void> {
  await writeFileAtomic(requestPath(dir, process), `${JSON.stringify(request)}\n`);
}

/** A claimed request, or why it was refused (the file was not written by root or the user ha-valet runs as). */
export type TakenRequest = { ok: true; request: OperatorRequest } | { ok: false; reason: string };

/**
 * Claims the waiting request of `process`, or null; a malformed file is dropped.
 * Only a regular file owned by root or the running user counts: the state dir
 * should let nobody else in (the trust check), and this refuses what got in anyway.
 */
export async function takeRequest(dir: string, process: string): Promise<TakenRequest | null> {
  const file = requestPath(dir, process);
  const claimed = `${file}.claimed-${globalThis.process.pid}`;
  try {
    await fs.rename(file, claimed);
  } catch {
    return null;
  }
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(claimed, constants.O_RDONLY | constants.O_NOFOLLOW);
    const refusal = refuseForeign(file, await handle.stat());
    if (refusal) return { ok: false, reason: refusal };
    const parsed = JSON.parse(await handle.readFile('utf8')) as OperatorRequest;
    return typeof parsed?.type === 'string' ? { ok: true, request: parsed } : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      return { ok: false, reason: `request file ${file} is a symlink: refused` };
    }
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
    await fs.rm(claimed, { force: true });
  }
}

/** Why a request file with these stats is refused, or null when it may be carried out. */
function refuseForeign(file: string, stats: Stats): string | null {
  if (!stats.isFile()) return `request file ${file} is not a regular file: refused`;
  const uid = globalThis.process.geteuid?.();
  if (uid === undefined || isTrustedOwner(stats.uid, uid)) return null;
  return `request file ${file} is owned by ${describeUser(stats.uid, idNames())}, not by root or the user ha-valet runs as: refused, not carried out`;
}

/** Whether a request for `process` is waiting (for status). */
export async function hasRequest(dir: string, process: string): Promise<boolean> {
  return fs
    .access(requestPath(dir, process))
    .then(() => true)
    .catch(() => false);
}
