/**
 * Coordination: who may act, and where shared state lives (Patroni's DCS idea).
 * Two backends implement it — LocalCoordinator (lock file + state dir) and
 * EtcdCoordinator (leader lease in etcd). decide/ never knows which one runs.
 *
 * Contract, for every backend:
 * - `acquire()` is timing-critical: it resolves quickly with a Leadership when
 *   this watcher may act now, with null when another watcher leads, and throws
 *   CoordinationError when the store cannot be reached (the caller then must not act).
 * - A Leadership is only good while `isValid()` is true; a holder checks it right
 *   before every start/stop/hook and stops acting once it turns false.
 * - `state.save()` is compare-and-set against the leadership: it resolves false
 *   when the writer no longer leads (fenced), and throws when the store is unreachable.
 */
import type { Observation } from '../probe/observation.js';
import type { Journal } from '../state/journal.js';
import type { OperatorRequest, ProcessState } from '../state/model.js';
import type { StateStore } from '../state/state-store.js';

/** What one watcher published about one process: its last probe's observations, and when. */
export interface PublishedObservations {
  /** Epoch ms (the publisher's clock) when the probe ended and the record was written. */
  at: number;
  observations: Observation[];
}

/** Proof that this watcher may act, tied to a lease. */
export interface Leadership {
  /** Lease id / revision, written into every journal line of an action. */
  readonly epoch: string;
  /** False once the lease may have expired: stop acting. */
  isValid(): boolean;
}

/** Health of the coordination backend, for status and nagios. */
export interface CoordinationHealth {
  backend: 'local' | 'etcd';
  ok: boolean;
  /** Watcher id of the current leader, if known. */
  leader: string | null;
  /** Since when the current leader leads (epoch ms), if known. */
  leaderSince: number | null;
  /** e.g. 'coordination lost: etcd unreachable (3 of 3 endpoints)'. */
  message: string;
  /** Per endpoint reachability (etcd only). */
  members?: Array<{ endpoint: string; reachable: boolean }>;
}

/** One watcher's heartbeat as seen by `ha-valet cluster`. */
export interface WatcherInfo {
  id: string;
  host: string;
  pid: number;
  lastHeartbeat: number;
  leader: boolean;
}

/**
 * Small shared records beside the process states (the jobs' records): versioned
 * reads and compare-and-set writes. A `fenced` write also requires that this
 * watcher leads; either check failing resolves false and writes nothing.
 * Both throw CoordinationError when the store cannot be reached.
 */
export interface RecordStore {
  read(key: string): Promise<{ value: string | null; version: string }>;
  compareAndSet(key: string, version: string, value: string, options: { fenced: boolean }): Promise<boolean>;
  /** Every record whose key starts with `prefix`. */
  readAll(prefix: string): Promise<Map<string, string>>;
}

export interface Coordinator {
  readonly backend: 'local' | 'etcd';
  /** This watcher's id (hostname:pid by default). */
  readonly watcherId: string;
  /** Shared state; saves are fenced by leadership. */
  readonly state: StateStore;
  readonly journal: Journal;
  /** Shared records of jobs (compare-and-set). */
  readonly records: RecordStore;
  acquire(): Promise<Leadership | null>;
  /** Give up leadership (end of a cron pass, shutdown). */
  release(): Promise<void>;
  /** Followers publish what they saw, so the leader and `status` see every host's view. */
  publishObservations(process: string, observations: Observation[]): Promise<void>;
  /** The latest published observations per watcher id (this watcher's own included). */
  peerObservations(process: string): Promise<Map<string, PublishedObservations>>;
  /** Watchers known to the backend, with the leader marked. */
  watchers(): Promise<WatcherInfo[]>;
  /**
   * Operator commands (move, maintenance, reset) from any host: applies `change` to the
   * current record with compare-and-set (not fenced by leadership; retried on conflict)
   * and resolves with the record written. `change` returning null writes nothing.
   * The leader's next `state.save()` keeps fields an operator changed since its `load()`.
   */
  updateState(process: string, change: (state: ProcessState) => ProcessState | null): Promise<ProcessState>;
  /**
   * Leaves an operator request (move, start, stop, maintenance, reset) for whoever
   * acts next on `process`; a newer request replaces an older one.
   */
  submitRequest(process: string, request: OperatorRequest): Promise<void>;
  /**
   * Claims the request waiting for `process`, once. Backends that keep requests in
   * the shared state record (etcd) return null: the record's `request` field is it.
   */
  claimRequest(process: string): Promise<OperatorRequest | null>;
  /**
   * Whether an operator request, or a state someone else wrote, may be waiting for
   * `process` (cheap; unsure means yes). A watcher asks it of the steady processes
   * it does not run cycles of; absent: always yes.
   */
  mayHaveNews?(process: string): boolean;
  /** The last known health; cheap and synchronous. */
  health(): CoordinationHealth;
  /** Asks the store now (every etcd member) and returns fresh health. */
  refreshHealth(): Promise<CoordinationHealth>;
  close(): Promise<void>;
}

/** The store cannot be reached; the caller must not act. */
export class CoordinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoordinationError';
  }
}
