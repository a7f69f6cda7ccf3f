/**
 * Crash-safe file replacement: write a temp file in the same directory, fsync
 * it, rename it over the target, fsync the directory. A reader (or a process
 * restarted after kill -9 / power loss) sees either the old or the new content,
 * never a mix. Temp files are named `<target>.tmp-<pid>-<random>` so a sweep can
 * tell a dead writer's leftovers from a live writer's file.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StateStoreError } from '../errors.js';

const TEMP_MARK = '.tmp-';

/** Replaces `target` with `data` atomically and durably; throws StateStoreError on I/O failure. */
export async function writeFileAtomic(target: string, data: string, mode = 0o640): Promise<void> {
  const temp = `${target}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw toStateStoreError(error, 'write', target);
  }
  await syncDirectory(path.dirname(target));
}

/** Flushes a directory entry change (rename, create) to disk; best effort on filesystems that refuse it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems (and some platforms) cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** True when `name` is a temp file written by writeFileAtomic for a target named `base`. */
export function isTempFileOf(name: string, base: string): boolean {
  return name.startsWith(`${base}${TEMP_MARK}`);
}

/** Removes temp files in `dir` whose writer is dead or that are older than `maxAgeMs`; returns how many. */
export async function sweepTempFiles(dir: string, maxAgeMs = 10 * 60_000): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const at = name.lastIndexOf(TEMP_MARK);
    if (at < 0) continue;
    const pid = Number(name.slice(at + TEMP_MARK.length).split('-')[0]);
    const file = path.join(dir, name);
    const stale =
      !Number.isInteger(pid) ||
      !isPidAlive(pid) ||
      Date.now() - (await fs.stat(file).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > maxAgeMs;
    if (stale && pid !== process.pid) {
      await fs.rm(file, { force: true }).catch(() => undefined);
      removed += 1;
    }
  }
  return removed;
}

/** True when a process with this PID exists (EPERM means it exists but is not ours). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Turns an fs error into a StateStoreError that says what failed, where, and what would fix it. */
export function toStateStoreError(
  error: unknown,
  verb: 'read' | 'write' | 'create',
  file: string,
): StateStoreError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `cannot ${verb} ${file}`;
  const dir = path.dirname(file);
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `the filesystem is full (${code}); free space on it or set state_dir to another filesystem`
      : code === 'EACCES' || code === 'EPERM'
        ? `permission denied (${code}); run ha-valet as a user that may write ${dir}, or set state_dir`
        : code === 'EROFS'
          ? `the filesystem is read-only (EROFS); set state_dir to a writable directory`
          : code === 'ENOTDIR' || code === 'ENOENT'
            ? `${dir} is not a usable directory (${code}); check state_dir`
            : `${error instanceof Error ? error.message : String(error)}`;
  return new StateStoreError(`${where}: ${hint}`, file, code);
}
