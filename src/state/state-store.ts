/**
 * Durable per-process state.
 *
 * Contract: `load` never throws for missing or damaged content (a missing file
 * is a fresh process; a torn, corrupt or unknown-version file is moved aside as
 * `<file>.corrupt-<time>`, reported through `warn`, and replaced by
 * emptyProcessState() so the next observation rebuilds it). `load`/`save` throw
 * StateStoreError only when the disk itself fails (permissions, full, read-only).
 * `save` returns true when written, false when fenced (a coordinated store that
 * lost its lease); the file store is never fenced.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { sweepTempFiles, toStateStoreError, writeFileAtomic } from './atomic-file.js';
import { emptyProcessState, type ProcessState } from './model.js';
import { processOfStateFile, stateFileName } from './state-dir.js';
import { validateProcessState } from './state-validate.js';
import { DirChanges } from './dir-changes.js';

export interface StateStore {
  load(process: string): Promise<ProcessState>;
  /** True when written; false when fenced (never for files). Throws StateStoreError when it cannot write. */
  save(process: string, state: ProcessState): Promise<boolean>;
  loadAll?(): Promise<Map<string, ProcessState>>;
}

/** What is known about a state file before it is read (lstat-like). */
export interface StateFileFacts {
  file: string;
  uid: number;
  kind: 'file' | 'symlink' | 'other';
}

export interface FileStateStoreOptions {
  warn?(message: string): void;
  /**
   * Why a state file must not be used (a symlink, another owner), or null. A refused
   * file is moved aside, reported through `warn` and `onRefused`, and replaced by
   * emptyProcessState(): nothing in it (an operator request, a latch) is honoured.
   */
  refuse?(facts: StateFileFacts): string | null;
  onRefused?(process: string, reason: string): Promise<void>;
  /** Corrupt copies kept per process (older ones are deleted); default 5. */
  keepCorrupt?: number;
}

const FORMAT = 'ha-valet-state';
const CORRUPT_MARK = '.corrupt-';
const REFUSED_MARK = '.refused-';

/** One JSON file per process in `dir`, each an envelope {format, version, process, savedAt, sha256, state}. */
export class FileStateStore implements StateStore {
  private swept = false;
  /** Which state files changed on disk (started by the first changeToken: watchers only). */
  private changes: DirChanges | null = null;
  private readonly tokens = new Map<string, string | null>();

  constructor(
    readonly dir: string,
    private readonly options: FileStateStoreOptions = {},
  ) {}

  private readonly paths = new Map<string, string>();

  /** The file holding `process`'s state. */
  pathOf(process: string): string {
    let file = this.paths.get(process);
    if (file === undefined) {
      file = path.join(this.dir, stateFileName(process));
      this.paths.set(process, file);
    }
    return file;
  }

  /** Reads a process's state; empty when missing, moved aside and empty when damaged. */
  async load(process: string): Promise<ProcessState> {
    await this.sweepOnce();
    const file = this.pathOf(process);
    const read = await this.readChecked(file);
    if (read === null) return emptyProcessState();
    if ('refused' in read) {
      await this.refuseFile(process, file, read.refused);
      return emptyProcessState();
    }
    const text = read.text;
    const parsed = parseEnvelope(text, process);
    if ('state' in parsed) return parsed.state;
    await this.quarantine(file, parsed.problem);
    return emptyProcessState();
  }

  /** The file's text, never through a symlink; `refused` when options.refuse says no; null when missing. */
  private async readChecked(file: string): Promise<{ text: string } | { refused: string } | null> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code !== 'ELOOP') throw toStateStoreError(error, 'read', file);
      const link = await fs.lstat(file);
      const facts = { file, uid: link.uid, kind: 'symlink' as const };
      return { refused: this.options.refuse?.(facts) ?? `state file ${file} is a symlink: not used` };
    }
    try {
      const stats = await handle.stat();
      const refusal = this.options.refuse?.({
        file,
        uid: stats.uid,
        kind: stats.isFile() ? 'file' : 'other',
      });
      if (refusal) return { refused: refusal };
      return { text: await handle.readFile('utf8') };
    } catch (error) {
      throw toStateStoreError(error, 'read', file);
    } finally {
      await handle.close();
    }
  }

  /** Moves a refused state file aside (kept for inspection) and reports it. */
  private async refuseFile(process: string, file: string, reason: string): Promise<void> {
    const aside = `${file}${REFUSED_MARK}${new Date().toISOString().replace(/[-:.]/g, '')}`;
    const moved = await fs.rename(file, aside).then(
      () => true,
      () => false,
    );
    this.options.warn?.(`${process}: ${reason}${moved ? ` (moved to ${aside})` : ''}`);
    await this.options.onRefused?.(process, reason);
  }

  /**
   * The file's inode, size and mtime: changes whenever anyone replaces it (null when
   * missing). A watcher asks once per cycle per process: the file is stat'ed only when
   * inotify saw it change (or every RECHECK_MS, dir-changes.ts), synchronously (the
   * promise form costs several times more CPU than the lookup itself; bench/scale.ts).
   */
  async changeToken(process: string): Promise<string | null> {
    this.changes ??= new DirChanges(this.dir);
    const file = this.pathOf(process);
    if (this.tokens.has(file) && !this.changes.mayHaveChanged(path.basename(file)))
      return this.tokens.get(file)!;
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    const token = stat ? `${stat.ino}:${stat.size}:${stat.mtimeNs}` : null;
    this.tokens.set(file, token);
    return token;
  }

  /** Whether the state file of `process` may have changed since changeToken last looked (unsure: yes). */
  mayHaveChanged(process: string, recheckMs?: number): boolean {
    return this.changes?.pending(path.basename(this.pathOf(process)), recheckMs) ?? true;
  }

  /** Writes a process's state atomically (temp, fsync, rename, fsync dir). */
  async save(process: string, state: ProcessState): Promise<boolean> {
    const body = JSON.stringify(state);
    const envelope = {
      format: FORMAT,
      version: 1,
      process,
      savedAt: new Date().toISOString(),
      sha256: sha256(body),
      state,
    };
    await writeFileAtomic(this.pathOf(process), `${JSON.stringify(envelope, null, 1)}\n`);
    this.tokens.delete(this.pathOf(process));
    return true;
  }

  /** Loads every process that has a state file in the directory. */
  async loadAll(): Promise<Map<string, ProcessState>> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw toStateStoreError(error, 'read', this.dir);
    }
    const processes = names
      .map(processOfStateFile)
      .filter((p): p is string => p !== null)
      .sort();
    const states = await Promise.all(processes.map((p) => this.load(p)));
    return new Map(processes.map((p, i) => [p, states[i]!]));
  }

  /** Moves a damaged file aside and says so; keeps only the newest few copies. */
  private async quarantine(file: string, problem: string): Promise<void> {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const aside = `${file}${CORRUPT_MARK}${stamp}`;
    try {
      await fs.rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another reader moved it first
      this.options.warn?.(
        `state file ${file} is damaged (${problem}) and could not be moved aside: ${(error as Error).message}; starting from empty state`,
      );
      return;
    }
    this.options.warn?.(
      `state file ${file} is damaged (${problem}); moved it to ${aside} and starting from empty state (rebuilt from the next observation)`,
    );
    await this.pruneCorrupt(file);
  }

  /** Deletes all but the newest `keepCorrupt` corrupt copies of `file`. */
  private async pruneCorrupt(file: string): Promise<void> {
    const base = path.basename(file) + CORRUPT_MARK;
    const names = (await fs.readdir(this.dir).catch(() => [] as string[]))
      .filter((n) => n.startsWith(base))
      .sort();
    const excess = names.slice(0, Math.max(0, names.length - (this.options.keepCorrupt ?? 5)));
    await Promise.all(
      excess.map((n) => fs.rm(path.join(this.dir, n), { force: true }).catch(() => undefined)),
    );
  }

  /** Removes temp files left by dead writers, once per store. */
  private async sweepOnce(): Promise<void> {
    if (this.swept) return;
    this.swept = true;
    await sweepTempFiles(this.dir);
  }
}

/** Parses and checks a state file's text: the state, or why it is unusable. */
export function parseEnvelope(text: string, process: string): { state: ProcessState } | { problem: string } {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch (error) {
    return { problem: text.length === 0 ? 'empty file' : `not valid JSON (${(error as Error).message})` };
  }
  if (typeof envelope !== 'object' || envelope === null) return { problem: 'not a JSON object' };
  const e = envelope as Record<string, unknown>;
  if (e.format !== FORMAT)
    return { problem: `not an ha-valet state file (format ${JSON.stringify(e.format)})` };
  if (e.version !== 1) return { problem: `unknown file version ${JSON.stringify(e.version)} (expected 1)` };
  if (e.process !== process)
    return { problem: `holds process ${JSON.stringify(e.process)}, expected ${JSON.stringify(process)}` };
  if (typeof e.sha256 !== 'string' || sha256(JSON.stringify(e.state)) !== e.sha256)
    return { problem: 'checksum mismatch' };
  return validateProcessState(e.state);
}

/** Hex SHA-256 of a string. */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
