/**
 * The per-config pass lock, so overlapping cron runs never act at once.
 *
 * Scheme (no flock in Node, and a SIGKILLed holder must be recoverable without
 * a race between two recoverers): the lock is a sequence of generation files
 * `<lockPath>.<n>`, each holding an immutable record {pid, startTime, bootId,
 * hostname, acquiredAt, nonce}. The highest n is the current generation.
 * - Acquire: read the highest generation n. If its holder is alive (same host,
 *   PID alive, same /proc start time — so a reused PID does not count), throw
 *   LockHeldError. Otherwise (none, released, dead holder, unreadable record)
 *   create `<lockPath>.<n+1>` with link(2) from a fully written temp file —
 *   link fails if the name exists, so of two racing acquirers/recoverers
 *   exactly one creates n+1. The winner then re-lists: if a higher generation
 *   appeared meanwhile it backs off and retries; else it owns the lock and
 *   deletes the generations below its own.
 * - The top generation is never deleted, only superseded, so "create n+1" is
 *   a compare-and-swap on n. Release rewrites the holder's own generation file
 *   (temp + rename) with `released: true`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LockHeldError } from '../errors.js';
import { toStateStoreError, writeFileAtomic } from './atomic-file.js';
import { checkIdentity, selfIdentity, type ProcessIdentity } from './process-identity.js';

/** What a generation file records. */
export interface LockRecord extends ProcessIdentity {
  acquiredAt: number;
  nonce: string;
  released?: boolean;
  releasedAt?: number;
}

export interface PassLock {
  readonly path: string;
  readonly record: LockRecord;
  release(): Promise<void>;
}

const MAX_ATTEMPTS = 25;

/** Takes the pass lock at `lockPath` or throws LockHeldError naming the live holder. */
export async function acquirePassLock(lockPath: string, options: { wait?: false } = {}): Promise<PassLock> {
  void options; // waiting is not supported: a cron pass that finds the lock held exits 3
  const record: LockRecord = {
    ...selfIdentity(),
    acquiredAt: Date.now(),
    nonce: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const top = await topGeneration(lockPath);
    if (top > 0) {
      const holder = await readRecord(generationPath(lockPath, top));
      if (holder === 'missing') continue; // superseded while we looked
      if (holder !== 'corrupt' && !holder.released) {
        const liveness = checkIdentity(holder);
        if (liveness !== 'dead') throw heldError(lockPath, generationPath(lockPath, top), holder, liveness);
      }
    }
    const mine = generationPath(lockPath, top + 1);
    if (!(await createExclusive(mine, record))) continue; // another acquirer took n+1
    if ((await topGeneration(lockPath)) > top + 1) {
      await fs.rm(mine, { force: true }); // a newer generation exists: ours is not the lock
      continue;
    }
    await removeGenerationsBelow(lockPath, top + 1);
    return makeLock(lockPath, mine, record);
  }
  throw new LockHeldError(
    `could not take the lock ${lockPath}: it changed hands ${MAX_ATTEMPTS} times while trying; try again`,
    null,
  );
}

/** The live holder of the lock, or null when it is free (never taken, released, or holder dead). */
export async function readPassLockHolder(lockPath: string): Promise<LockRecord | null> {
  const top = await topGeneration(lockPath);
  if (top === 0) return null;
  const holder = await readRecord(generationPath(lockPath, top));
  if (holder === 'missing' || holder === 'corrupt' || holder.released) return null;
  return checkIdentity(holder) === 'dead' ? null : holder;
}

/** The lock object handed to the holder. */
function makeLock(lockPath: string, file: string, record: LockRecord): PassLock {
  let released = false;
  return {
    path: lockPath,
    record,
    async release() {
      if (released) return;
      released = true;
      const current = await readRecord(file);
      if (current === 'missing' || current === 'corrupt' || current.nonce !== record.nonce) return;
      await writeFileAtomic(
        file,
        `${JSON.stringify({ ...record, released: true, releasedAt: Date.now() })}\n`,
      );
    },
  };
}

/** `<lockPath>.<n>`. */
function generationPath(lockPath: string, n: number): string {
  return `${lockPath}.${n}`;
}

/** The generation numbers present, ascending. */
async function listGenerations(lockPath: string): Promise<number[]> {
  const prefix = `${path.basename(lockPath)}.`;
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(lockPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toStateStoreError(error, 'read', path.dirname(lockPath));
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b);
}

/** The highest generation present, 0 when none. */
async function topGeneration(lockPath: string): Promise<number> {
  const gens = await listGenerations(lockPath);
  return gens[gens.length - 1] ?? 0;
}

/** Deletes generation files below `n` (superseded; safe because they are not the top). */
async function removeGenerationsBelow(lockPath: string, n: number): Promise<void> {
  const old = (await listGenerations(lockPath)).filter((g) => g < n);
  await Promise.all(
    old.map((g) => fs.rm(generationPath(lockPath, g), { force: true }).catch(() => undefined)),
  );
}

/** Reads a generation record: the record, 'missing', or 'corrupt'. */
async function readRecord(file: string): Promise<LockRecord | 'missing' | 'corrupt'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw toStateStoreError(error, 'read', file);
  }
  try {
    const value = JSON.parse(text) as LockRecord;
    if (
      !Number.isInteger(value.pid) ||
      typeof value.nonce !== 'string' ||
      typeof value.acquiredAt !== 'number'
    )
      return 'corrupt';
    return value;
  } catch {
    return 'corrupt';
  }
}

/** Creates `file` holding `record` only if it does not exist: full content appears at once (link of a temp file). */
async function createExclusive(file: string, record: LockRecord): Promise<boolean> {
  const temp = `${file}.tmp-${process.pid}-${record.nonce}`;
  try {
    const handle = await fs.open(temp, 'wx', 0o640);
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw toStateStoreError(error, 'create', file);
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

/** The error for a lock held by a live (or unverifiable) process. */
function heldError(
  lockPath: string,
  file: string,
  holder: LockRecord,
  liveness: 'alive' | 'unknown',
): LockHeldError {
  const since = formatSince(holder.acquiredAt);
  const where =
    liveness === 'unknown'
      ? ` on host ${holder.hostname}; if that host no longer runs ha-valet, delete ${file}`
      : '';
  return new LockHeldError(
    `another ha-valet pass holds the lock ${lockPath} (pid ${holder.pid}, since ${since})${where}`,
    holder.pid,
  );
}

/** `12:00:01Z` for today (UTC), the full ISO time otherwise. */
function formatSince(at: number): string {
  const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return iso.slice(0, 10) === new Date().toISOString().slice(0, 10) ? iso.slice(11) : iso;
}
