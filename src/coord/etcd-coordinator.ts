/**
 * EtcdCoordinator: one leader per cluster (per `etcd_prefix`), elected with a
 * leader key on the watcher's lease (Patroni's leader-key pattern, not etcd's
 * queue-style election: `acquire()` answers at once instead of waiting in line).
 *
 * - Every watcher holds one lease of `lease_ttl`; its heartbeat, observations
 *   and (when it leads) the leader key live on it, so they vanish when it dies.
 * - `acquire()` creates `<prefix>leader` in a transaction only when it is absent;
 *   the leader's epoch is `<create revision>.<lease id hex>`.
 * - Fencing: a Leadership is valid only while the last acknowledged keepalive was
 *   sent less than lease_ttl/2 ago. etcd cannot expire the lease before that send
 *   time + TTL, so the old leader stops acting before anyone else can be elected.
 * - State saves are fenced on the server too (see EtcdStateStore).
 */
import os from 'node:os';
import type { Etcd3 } from 'etcd3';
import type { EtcdSettings } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import type { OperatorRequest, ProcessState } from '../state/model.js';
import {
  CoordinationError,
  type CoordinationHealth,
  type Coordinator,
  type Leadership,
  type PublishedObservations,
  type WatcherInfo,
} from './coordinator.js';
import { createEtcdClient } from './etcd-client.js';
import { EtcdJournal } from './etcd-journal.js';
import { EtcdKeys, type HeartbeatRecord, type LeaderRecord } from './etcd-keys.js';
import { LeaseKeeper } from './etcd-lease.js';
import { EtcdStateStore, guard, type Fence } from './etcd-state-store.js';
import { probeMembers, withTimeout } from './etcd-health.js';

/** Fraction of lease_ttl after the last acknowledged keepalive at which a leader stops acting. */
export const FENCE_FRACTION = 0.5;
/** Upper bound of one acquire() (a campaign against an unreachable store gives up by then). */
const ACQUIRE_BUDGET_MS = 3000;

export interface EtcdCoordinatorOptions {
  /** Default hostname:pid. */
  watcherId?: string;
  warn?(message: string): void;
}

/** A leadership tied to one lease and one leader-key creation; once invalid, invalid for good. */
class EtcdLeadership implements Leadership {
  private valid = true;

  constructor(
    readonly epoch: string,
    readonly fence: Fence,
    private readonly stillHolds: () => boolean,
  ) {}

  /** False once the last keepalive ack is too old, the lease was lost, or we released. */
  isValid(): boolean {
    if (this.valid && !this.stillHolds()) this.valid = false;
    return this.valid;
  }

  /** Ends this leadership (release, close, lost key). */
  invalidate(): void {
    this.valid = false;
  }
}

export class EtcdCoordinator implements Coordinator {
  readonly backend = 'etcd' as const;
  readonly watcherId: string;
  readonly state: EtcdStateStore;
  readonly journal: EtcdJournal;
  private readonly client: Etcd3;
  private readonly keys: EtcdKeys;
  private readonly ttlMs: number;
  private lease: LeaseKeeper | null = null;
  private leasePending: Promise<LeaseKeeper> | null = null;
  private leadership: EtcdLeadership | null = null;
  private knownLeader: LeaderRecord | null = null;
  private lastError: string | null = null;
  private members: CoordinationHealth['members'];
  private closed = false;

  constructor(
    private readonly settings: EtcdSettings,
    options: EtcdCoordinatorOptions = {},
  ) {
    this.watcherId = options.watcherId ?? `${os.hostname()}:${process.pid}`;
    this.ttlMs = settings.leaseTtlMs;
    this.keys = new EtcdKeys(settings.prefix);
    this.client = createEtcdClient(settings);
    const warn = options.warn ?? (() => undefined);
    this.state = new EtcdStateStore(this.client, this.keys, () => this.leadership?.fence ?? null, warn);
    this.journal = new EtcdJournal(this.client, this.keys, this.watcherId, () => this.currentEpoch(), warn);
    this.members = settings.endpoints.map((endpoint) => ({ endpoint, reachable: false }));
  }

  /** A valid Leadership, null when another watcher leads; CoordinationError when etcd is unreachable. */
  async acquire(): Promise<Leadership | null> {
    if (this.closed) throw new CoordinationError('coordination lost: the etcd coordinator was closed');
    try {
      const result = await withTimeout(this.campaign(), ACQUIRE_BUDGET_MS, 'campaign for leadership');
      this.lastError = null;
      return result;
    } catch (error) {
      this.lastError = (error as Error).message.replace(/^coordination lost: /, '');
      throw error instanceof CoordinationError
        ? error
        : new CoordinationError(`coordination lost: ${this.lastError}`);
    }
  }

  /** Gives up leadership: deletes the leader key if it is still ours; keeps the lease. */
  async release(): Promise<void> {
    const leadership = this.leadership;
    this.leadership = null;
    if (!leadership) return;
    leadership.invalidate();
    await withTimeout(
      this.client
        .if(this.keys.leader, 'Lease', '==', leadership.fence.leaseId)
        .and(this.keys.leader, 'Create', '==', leadership.fence.createRevision)
        .then(this.client.delete().key(this.keys.leader))
        .commit(),
      ACQUIRE_BUDGET_MS,
      'release the leader key',
    ).catch(() => undefined); // it expires with the lease anyway
  }

  /** Puts this watcher's observations of a process on its lease. */
  async publishObservations(process: string, observations: Observation[]): Promise<void> {
    const lease = await this.ensureLease();
    const body = JSON.stringify({ at: Date.now(), observations });
    await guard(`publishing observations of ${process}`, () =>
      this.client.put(this.keys.observations(this.watcherId, process)).value(body).lease(lease.id).exec(),
    );
  }

  /** The latest observations of a process per watcher id (our own included). */
  async peerObservations(process: string): Promise<Map<string, PublishedObservations>> {
    const all = await guard('reading observations', () =>
      this.client.getAll().prefix(this.keys.processObsPrefix(process)).strings(),
    );
    const result = new Map<string, PublishedObservations>();
    for (const [key, value] of Object.entries(all)) {
      const parsed = this.keys.parseObservations(key);
      if (!parsed || parsed.process !== process) continue;
      try {
        const record = JSON.parse(value) as PublishedObservations;
        if (typeof record.at === 'number' && Array.isArray(record.observations))
          result.set(parsed.id, record);
      } catch {
        /* a foreign value: skip it */
      }
    }
    return result;
  }

  /** Watchers with a live heartbeat key, the leader marked. */
  async watchers(): Promise<WatcherInfo[]> {
    const [beats, leader] = await guard('reading watchers', () =>
      Promise.all([this.client.getAll().prefix(this.keys.watchersPrefix).strings(), this.readLeader()]),
    );
    const infos: WatcherInfo[] = [];
    for (const value of Object.values(beats)) {
      try {
        const beat = JSON.parse(value) as HeartbeatRecord;
        infos.push({ ...beat, leader: leader?.watcherId === beat.id });
      } catch {
        /* a foreign value: skip it */
      }
    }
    return infos.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Operator write: compare-and-set on the record, from any host. */
  /** Writes the request into the shared record (compare-and-set); the leader's next pass carries it out. */
  async submitRequest(process: string, request: OperatorRequest): Promise<void> {
    await this.updateState(process, (state) => ({ ...state, request }));
  }

  /** Requests live in the shared record here: nothing separate to claim. */
  async claimRequest(_process: string): Promise<OperatorRequest | null> {
    return null;
  }

  updateState(process: string, change: (state: ProcessState) => ProcessState | null): Promise<ProcessState> {
    return this.state.update(process, change);
  }

  /** The last known health (no I/O). */
  health(): CoordinationHealth {
    const leader = this.knownLeader;
    const reachable = this.members?.filter((m) => m.reachable).length ?? 0;
    const total = this.settings.endpoints.length;
    const ok = this.lastError === null;
    const message = ok
      ? leader
        ? `leader ${leader.watcherId} since ${new Date(leader.since).toISOString()}`
        : 'no leader elected yet'
      : `coordination lost: ${this.lastError} (${reachable} of ${total} etcd endpoints reachable)`;
    return {
      backend: 'etcd',
      ok,
      leader: ok ? (leader?.watcherId ?? null) : null,
      leaderSince: ok ? (leader?.since ?? null) : null,
      message,
      members: this.members,
    };
  }

  /** Probes every member and reads the leader key, then returns health(). */
  async refreshHealth(): Promise<CoordinationHealth> {
    const [members] = await Promise.all([
      probeMembers(this.settings),
      withTimeout(this.readLeader(), ACQUIRE_BUDGET_MS, 'read the leader key').then(
        () => (this.lastError = null),
        (error: Error) => (this.lastError = error.message),
      ),
    ]);
    this.members = members;
    return this.health();
  }

  /** Releases leadership, revokes the lease and closes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.release();
    this.closed = true;
    const lease = this.lease;
    this.lease = null;
    if (lease)
      await withTimeout(lease.revoke(), ACQUIRE_BUDGET_MS, 'revoke the lease').catch(() => undefined);
    this.client.close();
  }

  /** The epoch of a valid leadership, else null. */
  currentEpoch(): string | null {
    return this.leadership?.isValid() ? this.leadership.epoch : null;
  }

  /** One campaign step: take the leader key if free, report who holds it otherwise. */
  private async campaign(): Promise<Leadership | null> {
    if (this.leadership?.isValid()) {
      void this.beat().catch(() => undefined);
      return this.leadership;
    }
    const lease = await this.ensureLease();
    if (lease.ackAge() > this.ttlMs * FENCE_FRACTION)
      await guard('lease keepalive', () => lease.keepaliveOnce());
    const me: LeaderRecord = {
      watcherId: this.watcherId,
      host: os.hostname(),
      pid: process.pid,
      since: Date.now(),
      lease: lease.id,
    };
    const beat = this.client
      .put(this.keys.watcher(this.watcherId))
      .value(this.heartbeatJson())
      .lease(lease.id);
    const result = await guard('campaign for leadership', () =>
      this.client
        .if(this.keys.leader, 'Create', '==', 0)
        .then(this.client.put(this.keys.leader).value(JSON.stringify(me)).lease(lease.id), beat)
        .else(this.client.get(this.keys.leader), beat)
        .commit(),
    );
    if (result.succeeded) {
      this.knownLeader = me;
      return this.lead(lease, result.header.revision);
    }
    const kv = result.responses[0]?.response_range?.kvs[0];
    this.knownLeader = kv ? parseLeader(kv.value.toString()) : null;
    if (kv && kv.lease === lease.id) return this.lead(lease, kv.create_revision);
    this.leadership?.invalidate();
    this.leadership = null;
    return null;
  }

  /** A new Leadership for the leader key created at `createRevision` on `lease`. */
  private lead(lease: LeaseKeeper, createRevision: string): Leadership {
    const fence: Fence = { leaseId: lease.id, createRevision };
    const epoch = `${createRevision}.${BigInt(lease.id).toString(16)}`;
    this.leadership = new EtcdLeadership(epoch, fence, () => this.holds(lease));
    return this.leadership;
  }

  /** True while `lease` is ours and its last keepalive ack is younger than the fence. */
  private holds(lease: LeaseKeeper): boolean {
    return (
      !this.closed && this.lease === lease && !lease.lost && lease.ackAge() <= this.ttlMs * FENCE_FRACTION
    );
  }

  /** Our live lease, granting a new one when the old one is lost or surely expired. */
  private async ensureLease(): Promise<LeaseKeeper> {
    if (this.lease?.mayBeAlive()) return this.lease;
    if (this.lease) {
      const old = this.lease;
      this.lease = null;
      void old.revoke(); // frees the old leader key early if etcd still holds it
    }
    this.leasePending ??= guard('granting a lease', () => LeaseKeeper.grant(this.client, this.ttlMs)).finally(
      () => (this.leasePending = null),
    );
    const lease = await this.leasePending;
    if (this.closed) {
      await lease.revoke();
      throw new CoordinationError('coordination lost: the etcd coordinator was closed');
    }
    this.lease = lease;
    return lease;
  }

  /** Refreshes this watcher's heartbeat key. */
  private async beat(): Promise<void> {
    const lease = await this.ensureLease();
    await this.client
      .put(this.keys.watcher(this.watcherId))
      .value(this.heartbeatJson())
      .lease(lease.id)
      .exec();
  }

  /** This watcher's heartbeat record, now. */
  private heartbeatJson(): string {
    const record: HeartbeatRecord = {
      id: this.watcherId,
      host: os.hostname(),
      pid: process.pid,
      lastHeartbeat: Date.now(),
    };
    return JSON.stringify(record);
  }

  /** Reads the leader key and remembers it. */
  private async readLeader(): Promise<LeaderRecord | null> {
    const value = await this.client.get(this.keys.leader).string();
    this.knownLeader = value === null ? null : parseLeader(value);
    return this.knownLeader;
  }
}

/** Parses a leader key's value; null when it is not ours. */
function parseLeader(value: string): LeaderRecord | null {
  try {
    const record = JSON.parse(value) as LeaderRecord;
    return typeof record.watcherId === 'string' ? record : null;
  } catch {
    return null;
  }
}
