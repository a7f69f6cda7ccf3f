/**
 * RecordStore over files in the state directory (`coordination = local`): one
 * JSON file per record, `records/<key>.json`, holding a version counter. A
 * compare-and-set holds `<file>.lock` (created exclusively) while it reads the
 * version and renames the new file in, so two processes never both win.
 */
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../state/atomic-file.js';
import { CoordinationError, type RecordStore } from './coordinator.js';

/** A lock file older than this was left by a dead writer. */
const STALE_LOCK_MS = 10_000;
const LOCK_TRIES = 200;

interface Envelope {
  version: number;
  value: string;
}

export class FileRecordStore implements RecordStore {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly leads: () => boolean,
  ) {
    this.dir = path.join(stateDir, 'records');
  }

  /** The file of `key` (keys are URI-encoded so '/' stays in the name). */
  private fileOf(key: string): string {
    return path.join(this.dir, `${encodeURIComponent(key)}.json`);
  }

  async read(key: string): Promise<{ value: string | null; version: string }> {
    const envelope = await this.readEnvelope(key);
    return envelope
      ? { value: envelope.value, version: String(envelope.version) }
      : { value: null, version: '0' };
  }

  async compareAndSet(key: string, version: string, value: string, options: { fenced: boolean }) {
    if (options.fenced && !this.leads()) return false;
    await mkdir(this.dir, { recursive: true });
    const release = await this.lock(key);
    try {
      const current = await this.readEnvelope(key);
      if (String(current?.version ?? 0) !== version) return false;
      const next: Envelope = { version: (current?.version ?? 0) + 1, value };
      await writeFileAtomic(this.fileOf(key), JSON.stringify(next));
      return true;
    } finally {
      await release();
    }
  }

  async readAll(prefix: string): Promise<Map<string, string>> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records = new Map<string, string>();
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const key = decodeURIComponent(name.slice(0, -'.json'.length));
      if (!key.startsWith(prefix)) continue;
      const envelope = await this.readEnvelope(key);
      if (envelope) records.set(key, envelope.value);
    }
    return records;
  }

  /** The stored envelope, or null when absent or unreadable. */
  private async readEnvelope(key: string): Promise<Envelope | null> {
    try {
      const parsed = JSON.parse(await readFile(this.fileOf(key), 'utf8')) as Envelope;
      return typeof parsed.version === 'number' && typeof parsed.value === 'string' ? parsed : null;
    } catch {
      return null;
    }
  }

  /** Takes `<file>.lock`, breaking one left by a dead writer; returns its release. */
  private async lock(key: string): Promise<() => Promise<void>> {
    const lockPath = `${this.fileOf(key)}.lock`;
    for (let attempt = 0; attempt < LOCK_TRIES; attempt++) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.close();
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(lockPath).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > STALE_LOCK_MS) await rm(lockPath, { force: true });
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    throw new CoordinationError(`cannot lock ${lockPath}: held for too long`);
  }
}
