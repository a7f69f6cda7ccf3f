/**
 * The etcd key layout, all under `etcd_prefix` (default /ha-valet/):
 *
 *   <prefix>leader                     the leader key: JSON LeaderRecord, on the leader's lease
 *   <prefix>watchers/<id>              heartbeat of each watcher, on its lease
 *   <prefix>obs/<process>/<id>         a watcher's latest observations of a process, on its lease
 *                                      (by process first: the leader reads one process's views per round)
 *   <prefix>state/<process>            ProcessState JSON (leader-fenced or compare-and-set writes)
 *   <prefix>journal/<process>/<ms>-<seq>-<id>   journal entries, newest JOURNAL_KEEP kept per process
 *
 * Watcher ids and process names are URI-encoded so a '/' in them cannot break the layout.
 */

/** Journal entries kept per process. */
export const JOURNAL_KEEP = 1000;

/** What the leader key holds. */
export interface LeaderRecord {
  watcherId: string;
  host: string;
  pid: number;
  /** Epoch ms when this leader took the key. */
  since: number;
  lease: string;
}

/** What a watcher's heartbeat key holds. */
export interface HeartbeatRecord {
  id: string;
  host: string;
  pid: number;
  lastHeartbeat: number;
}

/** Key builders for one prefix. */
export class EtcdKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  /** The cluster-wide leader key. */
  get leader(): string {
    return `${this.prefix}leader`;
  }

  /** Prefix of all heartbeat keys. */
  get watchersPrefix(): string {
    return `${this.prefix}watchers/`;
  }

  /** One watcher's heartbeat key. */
  watcher(id: string): string {
    return this.watchersPrefix + encodeURIComponent(id);
  }

  /** Prefix of all observation keys. */
  get obsPrefix(): string {
    return `${this.prefix}obs/`;
  }

  /** One watcher's observations of one process. */
  observations(id: string, process: string): string {
    return `${this.processObsPrefix(process)}${encodeURIComponent(id)}`;
  }

  /** Prefix of every watcher's observations of one process. */
  processObsPrefix(process: string): string {
    return `${this.obsPrefix}${encodeURIComponent(process)}/`;
  }

  /** Splits an observation key into watcher id and process, or null. */
  parseObservations(key: string): { id: string; process: string } | null {
    const [process, id, extra] = key.slice(this.obsPrefix.length).split('/');
    if (id === undefined || process === undefined || extra !== undefined) return null;
    return { id: decodeURIComponent(id), process: decodeURIComponent(process) };
  }

  /** Prefix of all state keys. */
  get statePrefix(): string {
    return `${this.prefix}state/`;
  }

  /** One process's state key. */
  state(process: string): string {
    return this.statePrefix + encodeURIComponent(process);
  }

  /** Prefix of every journal key, or of one process's. */
  journalPrefix(process?: string): string {
    return `${this.prefix}journal/${process === undefined ? '' : `${encodeURIComponent(process)}/`}`;
  }

  /** A journal key that sorts by time within its process. */
  journalEntry(process: string, at: number, seq: number, id: string): string {
    const time = String(Math.max(0, Math.floor(at))).padStart(15, '0');
    return `${this.journalPrefix(process)}${time}-${String(seq).padStart(9, '0')}-${encodeURIComponent(id)}`;
  }
}
