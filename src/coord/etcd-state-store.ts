/**
 * ProcessState records in etcd (`<prefix>state/<process>`).
 *
 * - `save` (the leader) is fenced: one transaction `If(leader key's lease ==
 *   ours AND its create revision == ours).Then(put)`, so a watcher that lost
 *   leadership gets false and writes nothing. When an operator changed the
 *   record since our `load`, the fields the operator changed win (three-way
 *   merge on top-level fields) and the write is retried.
 * - `update` (operator commands from any host) is not fenced: compare-and-set
 *   on the record's mod revision, retried on conflict.
 * Both throw CoordinationError when etcd cannot be reached.
 */
import type { Etcd3, IKeyValue } from 'etcd3';
import { emptyProcessState, type ProcessState } from '../state/model.js';
import type { StateStore } from '../state/state-store.js';
import { validateProcessState } from '../state/state-validate.js';
import type { EtcdKeys } from './etcd-keys.js';
import { CoordinationError } from './coordinator.js';

/** What a save must prove: the leader key still belongs to this lease and campaign. */
export interface Fence {
  leaseId: string;
  createRevision: string;
}

const MAX_TRIES = 8;

/** A record as last read: its parsed state, raw JSON and mod revision ('0' = absent). */
interface Snapshot {
  state: ProcessState;
  json: string;
  modRevision: string;
}

export class EtcdStateStore implements StateStore {
  /** The snapshot each process was last loaded or saved from, for the three-way merge. */
  private readonly base = new Map<string, Snapshot>();

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly currentFence: () => Fence | null,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Reads a process's state; empty when absent or unreadable (with a warning). */
  async load(process: string): Promise<ProcessState> {
    const snapshot = await this.read(process);
    this.base.set(process, snapshot);
    return snapshot.state;
  }

  /** Writes `state` if we still lead; false when fenced. */
  async save(process: string, state: ProcessState): Promise<boolean> {
    let ours = state;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const fence = this.currentFence();
      if (!fence) return false;
      const base = this.base.get(process) ?? (await this.read(process));
      const json = JSON.stringify(ours);
      const result = await guard(`saving the state of ${process}`, () =>
        this.client
          .if(this.keys.leader, 'Lease', '==', fence.leaseId)
          .and(this.keys.leader, 'Create', '==', fence.createRevision)
          .and(this.keys.state(process), 'Mod', '==', base.modRevision)
          .then(this.client.put(this.keys.state(process)).value(json))
          .else(this.client.get(this.keys.leader), this.client.get(this.keys.state(process)))
          .commit(),
      );
      if (result.succeeded) {
        this.base.set(process, { state: ours, json, modRevision: result.header.revision });
        return true;
      }
      const leader = result.responses[0]?.response_range?.kvs[0];
      if (!leader || leader.lease !== fence.leaseId || leader.create_revision !== fence.createRevision) {
        return false; // fenced: another watcher leads now
      }
      const current = this.parse(process, result.responses[1]?.response_range?.kvs[0]);
      ours = mergeChanges(base.state, current.state, ours);
      this.base.set(process, current);
    }
    throw new CoordinationError(
      `coordination lost: the state of ${process} kept changing during ${MAX_TRIES} saves`,
    );
  }

  /** Applies `change` to the current record with compare-and-set; null from `change` writes nothing. */
  async update(process: string, change: (state: ProcessState) => ProcessState | null): Promise<ProcessState> {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const current = await this.read(process);
      const next = change(structuredClone(current.state));
      if (next === null) return current.state;
      const result = await guard(`updating the state of ${process}`, () =>
        this.client
          .if(this.keys.state(process), 'Mod', '==', current.modRevision)
          .then(this.client.put(this.keys.state(process)).value(JSON.stringify(next)))
          .commit(),
      );
      if (result.succeeded) return next;
    }
    throw new CoordinationError(
      `coordination lost: the state of ${process} kept changing during ${MAX_TRIES} updates`,
    );
  }

  /** Every process that has a record. */
  async loadAll(): Promise<Map<string, ProcessState>> {
    const kvs = await guard('reading all states', () =>
      this.client.getAll().prefix(this.keys.statePrefix).exec(),
    );
    const states = new Map<string, ProcessState>();
    for (const kv of kvs.kvs) {
      const process = decodeURIComponent(kv.key.toString().slice(this.keys.statePrefix.length));
      states.set(process, this.parse(process, kv).state);
    }
    return states;
  }

  /** Reads one record with its mod revision. */
  private async read(process: string): Promise<Snapshot> {
    const response = await guard(`reading the state of ${process}`, () =>
      this.client.get(this.keys.state(process)).exec(),
    );
    return this.parse(process, response.kvs[0]);
  }

  /** Parses a stored record; an absent or damaged one reads as empty. */
  private parse(process: string, kv: IKeyValue | undefined): Snapshot {
    if (!kv) return { state: emptyProcessState(), json: '', modRevision: '0' };
    const json = kv.value.toString();
    let checked: ReturnType<typeof validateProcessState>;
    try {
      checked = validateProcessState(JSON.parse(json));
    } catch (error) {
      checked = { problem: `not valid JSON (${(error as Error).message})` };
    }
    if ('problem' in checked) {
      this.warn(
        `state of ${process} in etcd key ${this.keys.state(process)} is damaged (${checked.problem}); starting from empty state`,
      );
      return { state: emptyProcessState(), json, modRevision: kv.mod_revision };
    }
    return { state: checked.state, json, modRevision: kv.mod_revision };
  }
}

/** `ours`, except top-level fields someone else changed between `base` and `theirs` keep their value. */
export function mergeChanges(base: ProcessState, theirs: ProcessState, ours: ProcessState): ProcessState {
  const merged: Record<string, unknown> = { ...ours };
  const b = base as unknown as Record<string, unknown>;
  const t = theirs as unknown as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (JSON.stringify(t[key]) !== JSON.stringify(b[key])) merged[key] = t[key];
  }
  return merged as unknown as ProcessState;
}

/** Runs an etcd call, turning any failure into CoordinationError. */
export async function guard<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CoordinationError) throw error;
    throw new CoordinationError(`coordination lost: ${what} failed: ${(error as Error).message}`);
  }
}
