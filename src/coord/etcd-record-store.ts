/**
 * RecordStore in etcd: `<prefix>records/<key>`, version = the key's mod
 * revision. A fenced compare-and-set is one transaction that also checks the
 * leader key still belongs to this watcher's lease and campaign.
 */
import type { Etcd3 } from 'etcd3';
import type { RecordStore } from './coordinator.js';
import type { EtcdKeys } from './etcd-keys.js';
import { guard, type Fence } from './etcd-state-store.js';

export class EtcdRecordStore implements RecordStore {
  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly currentFence: () => Fence | null,
  ) {}

  /** The etcd key of a record. */
  private keyOf(key: string): string {
    return `${this.keys.prefix}records/${encodeURIComponent(key)}`;
  }

  async read(key: string): Promise<{ value: string | null; version: string }> {
    const response = await guard(`reading record ${key}`, () => this.client.get(this.keyOf(key)).exec());
    const kv = response.kvs[0];
    return kv ? { value: kv.value.toString(), version: kv.mod_revision } : { value: null, version: '0' };
  }

  async compareAndSet(key: string, version: string, value: string, options: { fenced: boolean }) {
    const fence = options.fenced ? this.currentFence() : null;
    if (options.fenced && !fence) return false;
    const result = await guard(`writing record ${key}`, () => {
      let txn = this.client.if(this.keyOf(key), 'Mod', '==', version);
      if (fence) {
        txn = txn
          .and(this.keys.leader, 'Lease', '==', fence.leaseId)
          .and(this.keys.leader, 'Create', '==', fence.createRevision);
      }
      return txn.then(this.client.put(this.keyOf(key)).value(value)).commit();
    });
    return result.succeeded;
  }

  async readAll(prefix: string): Promise<Map<string, string>> {
    const base = `${this.keys.prefix}records/`;
    const kvs = await guard('reading records', () =>
      this.client
        .getAll()
        .prefix(base + encodeURIComponent(prefix))
        .exec(),
    );
    const records = new Map<string, string>();
    for (const kv of kvs.kvs) {
      records.set(decodeURIComponent(kv.key.toString().slice(base.length)), kv.value.toString());
    }
    return records;
  }
}
