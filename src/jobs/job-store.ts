/** A job's shared record over the coordinator's record store: load, and change with compare-and-set. */
import type { RecordStore } from '../coord/coordinator.js';
import { emptyJobState, parseJobState, type JobState } from './job-state.js';

/** Conflicting writers are retried this often before giving up for this tick. */
const MAX_TRIES = 5;

/** The record key of a job. */
export function jobKey(name: string): string {
  return `job/${name}`;
}

export class JobStore {
  constructor(private readonly records: RecordStore) {}

  /** The job's record (empty before its first run). */
  async load(name: string): Promise<JobState> {
    return parseJobState((await this.records.read(jobKey(name))).value);
  }

  /** Every job's record, by job name. */
  async loadAll(): Promise<Map<string, JobState>> {
    const all = await this.records.readAll('job/');
    return new Map([...all].map(([key, text]) => [key.slice('job/'.length), parseJobState(text)]));
  }

  /**
   * Applies `change` to the current record with compare-and-set (fenced: only while
   * this watcher leads). Returns the record written, or null when `change` declined,
   * the write was fenced, or other writers kept winning.
   */
  async update(
    name: string,
    change: (state: JobState) => JobState | null,
    options: { fenced: boolean },
  ): Promise<JobState | null> {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const { value, version } = await this.records.read(jobKey(name));
      const next = change(value === null ? emptyJobState() : parseJobState(value));
      if (next === null) return null;
      if (await this.records.compareAndSet(jobKey(name), version, JSON.stringify(next), options)) return next;
    }
    return null;
  }
}
