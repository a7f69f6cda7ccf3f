/**
 * The append-only journal: one JSON object per line (JournalEntry), appended
 * with O_APPEND so concurrent writers (a watcher and an operator command) never
 * interleave within a line. Size-bounded: when journal.jsonl would pass
 * `maxBytes` it is rotated (journal.jsonl → .1 → .2 …, `keep` rotated files),
 * so the journal never takes more than about (keep + 1) × maxBytes.
 *
 * Appends never throw: a full disk (or any other write failure) is reported
 * once through `warn` and the pass goes on. Reads skip malformed lines (a line
 * torn by a crash mid-append) and count them in `skippedLines`.
 */
import { promises as fs } from 'node:fs';
import type { JournalEntry } from './model.js';

export interface JournalFilter {
  /** Only these processes. */
  process?: string[];
  /** Only entries at or after this time (epoch ms). */
  since?: number;
  /** Only the newest N entries (still returned oldest first). */
  limit?: number;
}

export interface Journal {
  append(entry: JournalEntry): Promise<void>;
  read(filter?: JournalFilter): Promise<JournalEntry[]>;
}

export interface FileJournalOptions {
  /** Size at which journal.jsonl is rotated; default 5 MiB. */
  maxBytes?: number;
  /** Rotated files kept; default 3. */
  keep?: number;
  warn?(message: string): void;
}

const ROTATE_LOCK_STALE_MS = 30_000;

/** A JSON-lines journal file with size-bounded rotation. */
export class FileJournal implements Journal {
  readonly maxBytes: number;
  readonly keep: number;
  /** Malformed lines skipped by the last read. */
  skippedLines = 0;
  private failing: string | null = null;
  private checkedTail = false;

  constructor(
    readonly path: string,
    private readonly options: FileJournalOptions = {},
  ) {
    this.maxBytes = Math.max(1024, options.maxBytes ?? 5 * 1024 * 1024);
    this.keep = Math.max(0, Math.floor(options.keep ?? 3));
  }

  /** Appends one entry; write failures are warned about, never thrown. */
  async append(entry: JournalEntry): Promise<void> {
    let line = `${JSON.stringify(entry)}\n`;
    try {
      const size = await this.currentSize();
      if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes) await this.rotate();
      if (!this.checkedTail) {
        this.checkedTail = true;
        if (!(await this.endsWithNewline())) line = `\n${line}`; // seal a torn last line
      }
      await fs.appendFile(this.path, line, { flag: 'a', mode: 0o640 });
      if (this.failing) this.options.warn?.(`journal ${this.path} is writable again`);
      this.failing = null;
    } catch (error) {
      this.checkedTail = false; // a failed append may have left a partial line: seal it next time
      this.reportFailure(error);
    }
  }

  /** Reads entries from the rotated files (oldest first) and the live file. */
  async read(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    this.skippedLines = 0;
    const wanted = filter.process && filter.process.length > 0 ? new Set(filter.process) : null;
    const entries: JournalEntry[] = [];
    for (const file of this.files().reverse()) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      for (const raw of text.split('\n')) {
        if (raw.trim() === '') continue;
        const entry = parseEntry(raw);
        if (!entry) {
          this.skippedLines += 1;
          continue;
        }
        if (wanted && !wanted.has(entry.process)) continue;
        if (filter.since !== undefined && entry.at < filter.since) continue;
        entries.push(entry);
      }
    }
    if (filter.limit !== undefined && filter.limit >= 0)
      return entries.slice(Math.max(0, entries.length - filter.limit));
    return entries;
  }

  /** The live file first, then .1 … .keep. */
  files(): string[] {
    return [this.path, ...Array.from({ length: this.keep }, (_, i) => `${this.path}.${i + 1}`)];
  }

  /** Shifts .N → .N+1 and the live file to .1, under a short-lived rotate lock. */
  private async rotate(): Promise<void> {
    const lock = `${this.path}.rotate-lock`;
    if (!(await takeRotateLock(lock))) return; // someone else is rotating; append to whatever is live
    try {
      if ((await this.currentSize()) < this.maxBytes / 2) return; // already rotated by another writer
      if (this.keep === 0) {
        await fs.rm(this.path, { force: true });
        return;
      }
      await fs.rm(`${this.path}.${this.keep}`, { force: true });
      for (let n = this.keep - 1; n >= 1; n -= 1) {
        await fs.rename(`${this.path}.${n}`, `${this.path}.${n + 1}`).catch(ignoreMissing);
      }
      await fs.rename(this.path, `${this.path}.1`).catch(ignoreMissing);
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  /** Size of the live file, 0 when missing. */
  private async currentSize(): Promise<number> {
    try {
      return (await fs.stat(this.path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /** True when the live file is missing, empty or ends with a newline. */
  private async endsWithNewline(): Promise<boolean> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.path, 'r');
      const { size } = await handle.stat();
      if (size === 0) return true;
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] === 0x0a;
    } catch {
      return true;
    } finally {
      await handle?.close();
    }
  }

  /** Warns once per kind of failure until an append succeeds again. */
  private reportFailure(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (this.failing === code) return;
    this.failing = code;
    const why =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the filesystem is full; free space or set state_dir to another filesystem'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied; run as a user that may write the state directory'
          : (error as Error).message;
    this.options.warn?.(
      `cannot append to journal ${this.path} (${code}): ${why}; journal entries are being dropped until it is writable`,
    );
  }
}

/** Parses one journal line; null when it is not a plausible entry. */
export function parseEntry(raw: string): JournalEntry | null {
  try {
    const value = JSON.parse(raw) as Partial<JournalEntry> | null;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
    if (typeof value.at !== 'number' || typeof value.process !== 'string' || typeof value.event !== 'string')
      return null;
    return value as JournalEntry;
  } catch {
    return null;
  }
}

/** Creates the rotate lock file exclusively; breaks one older than 30 s (a dead rotator's). */
async function takeRotateLock(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await (await fs.open(lock, 'wx', 0o640)).close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.stat(lock).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs < ROTATE_LOCK_STALE_MS) return false;
      await fs.rm(lock, { force: true });
    }
  }
  return false;
}

/** Swallows ENOENT (a rotated file that does not exist yet). */
function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
