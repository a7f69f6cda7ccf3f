/**
 * The journal's recent tail in etcd: one key per entry,
 * `<prefix>journal/<process>/<15-digit ms>-<seq>-<watcher>`, so keys sort by
 * time within a process. Bounded: every TRIM_EVERY appends to a process (and on
 * the first) the entries beyond the newest JOURNAL_KEEP are deleted.
 * Like FileJournal, `append` never throws: a failure is reported through `warn`.
 */
import type { Etcd3 } from 'etcd3';
import type { JournalEntry } from '../state/model.js';
import type { Journal, JournalFilter } from '../state/journal.js';
import { JOURNAL_KEEP, type EtcdKeys } from './etcd-keys.js';
import { guard } from './etcd-state-store.js';

const TRIM_EVERY = 50;

export class EtcdJournal implements Journal {
  private seq = 0;
  private readonly appends = new Map<string, number>();
  private failing = false;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly watcherId: string,
    /** The epoch to stamp on entries that carry none (the current leadership's), or null. */
    private readonly currentEpoch: () => string | null,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly keep = JOURNAL_KEEP,
  ) {}

  /** Appends one entry (stamped with our epoch when we lead); failures are warned about. */
  async append(entry: JournalEntry): Promise<void> {
    const epoch = entry.epoch ?? this.currentEpoch() ?? undefined;
    const stamped = epoch === undefined ? entry : { ...entry, epoch };
    const key = this.keys.journalEntry(entry.process, entry.at, this.seq++, this.watcherId);
    try {
      await this.client.put(key).value(JSON.stringify(stamped));
      const count = (this.appends.get(entry.process) ?? 0) + 1;
      this.appends.set(entry.process, count);
      if (count % TRIM_EVERY === 1) await this.trim(entry.process);
      if (this.failing) this.warn('etcd journal is writable again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.warn(`cannot append to the etcd journal: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  /** Entries matching `filter`, oldest first; throws CoordinationError when etcd is unreachable. */
  async read(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const prefixes = filter.process?.length
      ? filter.process.map((p) => this.keys.journalPrefix(p))
      : [this.keys.journalPrefix()];
    const entries: JournalEntry[] = [];
    for (const prefix of prefixes) {
      const values = await guard('reading the journal', () => this.client.getAll().prefix(prefix).strings());
      for (const value of Object.values(values)) {
        try {
          const entry = JSON.parse(value) as JournalEntry;
          if (filter.since === undefined || entry.at >= filter.since) entries.push(entry);
        } catch {
          /* a foreign value: skip it */
        }
      }
    }
    entries.sort((a, b) => a.at - b.at);
    return filter.limit !== undefined ? entries.slice(Math.max(0, entries.length - filter.limit)) : entries;
  }

  /** Deletes a process's entries beyond the newest `keep`. */
  async trim(process: string): Promise<void> {
    const prefix = this.keys.journalPrefix(process);
    const total = await this.client.getAll().prefix(prefix).count();
    const excess = total - this.keep;
    if (excess <= 0) return;
    const oldest = await this.client.getAll().prefix(prefix).sort('Key', 'Ascend').limit(excess).keys();
    const first = oldest[0];
    const last = oldest[oldest.length - 1];
    if (first === undefined || last === undefined) return;
    await this.client.delete().inRange({ start: first, end: `${last}\0` });
  }
}
