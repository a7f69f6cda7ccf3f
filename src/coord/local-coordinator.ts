/**
 * LocalCoordinator: `coordination = local` (the default). One machine, the
 * per-config pass lock decides who acts, state and journal are files in the
 * state directory. `acquire()` takes the pass lock (null when another pass
 * holds it); the Leadership stays valid until `release()`. There are no peers:
 * `peerObservations` returns only what this watcher published.
 */
import os from 'node:os';
import { LockHeldError } from '../errors.js';
import type { Observation } from '../probe/observation.js';
import { readHeartbeat } from '../state/heartbeat.js';
import { FileJournal } from '../state/journal.js';
import type { OperatorRequest, ProcessState } from '../state/model.js';
import { DirChanges, QUIET_RECHECK_MS } from '../state/dir-changes.js';
import { putRequest, requestFileName, takeRequest } from '../state/request-queue.js';
import { acquirePassLock, readPassLockHolder, type PassLock } from '../state/pass-lock.js';
import type { StateLayout } from '../state/state-dir.js';
import { FileStateStore } from '../state/state-store.js';
import { runningUid } from '../trust/check-trust.js';
import { refuseForeignFile, refuseRequestFile } from '../trust/request-file.js';
import { FileRecordStore } from './file-record-store.js';
import {
  CoordinationError,
  type CoordinationHealth,
  type Coordinator,
  type Leadership,
  type PublishedObservations,
  type WatcherInfo,
} from './coordinator.js';

export interface LocalCoordinatorOptions {
  /** Default hostname:pid. */
  watcherId?: string;
  warn?(message: string): void;
  /** Journal rotation size and kept files (FileJournal defaults otherwise). */
  journalMaxBytes?: number;
  journalKeep?: number;
}

/** Leadership backed by the pass lock: valid from acquire until release. */
class LockLeadership implements Leadership {
  valid = true;

  constructor(readonly epoch: string) {}

  /** True until release. */
  isValid(): boolean {
    return this.valid;
  }
}

export class LocalCoordinator implements Coordinator {
  readonly backend = 'local' as const;
  readonly watcherId: string;
  readonly state: FileStateStore;
  readonly journal: FileJournal;
  readonly records: FileRecordStore;
  private lock: PassLock | null = null;
  private leadership: LockLeadership | null = null;
  private readonly published = new Map<string, PublishedObservations>();
  private knownHolder: { id: string; since: number } | null = null;
  /** Which request files appeared (started by the first claim). */
  private requestChanges: DirChanges | null = null;
  private readonly warn: ((message: string) => void) | undefined;

  constructor(
    private readonly layout: StateLayout,
    options: LocalCoordinatorOptions = {},
  ) {
    this.watcherId = options.watcherId ?? `${os.hostname()}:${process.pid}`;
    this.warn = options.warn;
    this.state = new FileStateStore(layout.dir, {
      warn: options.warn,
      // A state file carries operator requests and latches: only root's or ours is used.
      refuse: (facts) =>
        refuseForeignFile(facts, runningUid(), 'state file', 'refused, starting from empty state'),
      onRefused: async (process, reason) => {
        await this.journal.append({ at: Date.now(), process, event: 'state-refused', ok: false, reason });
      },
    });
    this.records = new FileRecordStore(layout.dir, () => this.leadership?.isValid() ?? false);
    this.journal = new FileJournal(layout.journalPath, {
      maxBytes: options.journalMaxBytes,
      keep: options.journalKeep,
      warn: options.warn,
    });
  }

  /** Takes the pass lock; null when another pass holds it. */
  async acquire(): Promise<Leadership | null> {
    if (this.leadership?.isValid()) return this.leadership;
    try {
      this.lock = await acquirePassLock(this.layout.lockPath);
    } catch (error) {
      if (error instanceof LockHeldError) {
        await this.readHolder().catch(() => undefined);
        return null;
      }
      throw new CoordinationError(
        `cannot take the pass lock ${this.layout.lockPath}: ${(error as Error).message}`,
      );
    }
    this.leadership = new LockLeadership(`local:${this.lock.record.nonce}`);
    this.knownHolder = { id: this.watcherId, since: this.lock.record.acquiredAt };
    return this.leadership;
  }

  /** Releases the pass lock. */
  async release(): Promise<void> {
    if (this.leadership) this.leadership.valid = false;
    this.leadership = null;
    const lock = this.lock;
    this.lock = null;
    if (this.knownHolder?.id === this.watcherId) this.knownHolder = null;
    await lock?.release();
  }

  /** Remembers this watcher's observations (there is nobody to share them with). */
  async publishObservations(process: string, observations: Observation[]): Promise<void> {
    this.published.set(process, { at: Date.now(), observations });
  }

  /** Only our own published observations. */
  async peerObservations(process: string): Promise<Map<string, PublishedObservations>> {
    const own = this.published.get(process);
    return new Map(own ? [[this.watcherId, own]] : []);
  }

  /** The watcher of the heartbeat file and the holder of the pass lock, if any. */
  async watchers(): Promise<WatcherInfo[]> {
    const [beat, holder] = await Promise.all([
      readHeartbeat(this.layout.heartbeatPath),
      readPassLockHolder(this.layout.lockPath),
    ]);
    const infos: WatcherInfo[] = [];
    if (beat) {
      infos.push({
        id: `${os.hostname()}:${beat.pid}`,
        host: os.hostname(),
        pid: beat.pid,
        lastHeartbeat: beat.at,
        leader: holder?.pid === beat.pid,
      });
    }
    if (holder && holder.pid !== beat?.pid) {
      infos.push({
        id: `${holder.hostname}:${holder.pid}`,
        host: holder.hostname,
        pid: holder.pid,
        lastHeartbeat: holder.acquiredAt,
        leader: true,
      });
    }
    return infos;
  }

  /** Load, change, save (the file store is not fenced; the watcher's own pass may overwrite it). */
  async updateState(
    process: string,
    change: (state: ProcessState) => ProcessState | null,
  ): Promise<ProcessState> {
    const current = await this.state.load(process);
    const next = change(structuredClone(current));
    if (next === null) return current;
    await this.state.save(process, next);
    return next;
  }

  /** Writes a request file the next pass over `process` claims (never races the watcher's saves). */
  async submitRequest(process: string, request: OperatorRequest): Promise<void> {
    await putRequest(this.layout.dir, process, request);
  }

  /** Claims the request file of `process`, once; a refused one (foreign owner) is journaled and warned about. */
  async claimRequest(process: string): Promise<OperatorRequest | null> {
    // Nearly always there is none: look for the file only when inotify saw it (or now and then).
    this.requestChanges ??= new DirChanges(this.layout.dir);
    if (!this.requestChanges.mayHaveChanged(requestFileName(process))) return null;
    const taken = await takeRequest(this.layout.dir, process);
    if (!taken) return null;
    const refusal = refuseRequestFile(taken, runningUid());
    if (!refusal) return taken.request;
    this.warn?.(`${process}: ${refusal}`);
    await this.journal.append({
      at: Date.now(),
      process,
      event: 'request-refused',
      ok: false,
      reason: refusal,
    });
    return null;
  }

  /** Whether a request file or a state written by someone else may wait for `process` (unsure: yes). */
  mayHaveNews(process: string): boolean {
    const request = this.requestChanges?.pending(requestFileName(process), QUIET_RECHECK_MS) ?? true;
    return request || this.state.mayHaveChanged(process, QUIET_RECHECK_MS);
  }

  /** Always healthy: the lock file is local. */
  health(): CoordinationHealth {
    const holder = this.knownHolder;
    return {
      backend: 'local',
      ok: true,
      leader: holder?.id ?? null,
      leaderSince: holder?.since ?? null,
      message: holder ? `local pass lock held by ${holder.id}` : 'local pass lock free',
    };
  }

  /** Reads the lock holder, then health(). */
  async refreshHealth(): Promise<CoordinationHealth> {
    await this.readHolder();
    return this.health();
  }

  /** Releases the lock. */
  async close(): Promise<void> {
    this.requestChanges?.close();
    await this.release();
  }

  /** Remembers who holds the pass lock now. */
  private async readHolder(): Promise<void> {
    if (this.lock) return;
    const holder = await readPassLockHolder(this.layout.lockPath);
    this.knownHolder = holder ? { id: `${holder.hostname}:${holder.pid}`, since: holder.acquiredAt } : null;
  }
}
