/**
 * Tells whether a file of one directory may have changed since it was last
 * looked at, from inotify (fs.watch) instead of a stat per file per cycle: a
 * watcher of 500 processes asked the disk 1,000 times a second whether a state
 * file or an operator request had appeared, nearly always to hear "no".
 *
 * Unsure means yes: before the first event, when watching failed (no inotify,
 * a full watch table, the directory replaced), and once every `recheckMs` per
 * file whatever the events said (a lost event delays a request by at most that).
 * The watch never keeps the process alive.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/** How often a file is looked at even when no event named it. */
export const RECHECK_MS = 10_000;

/**
 * How long a watcher leaves a steady process it does not run cycles of (its checks
 * say nothing new) without a look when no event named its files.
 */
export const QUIET_RECHECK_MS = 60_000;

export class DirChanges {
  private watcher: FSWatcher | null = null;
  private broken = false;
  private readonly changed = new Set<string>();
  private readonly lookedAt = new Map<string, number>();

  constructor(
    dir: string,
    private readonly recheckMs = RECHECK_MS,
  ) {
    const self = path.basename(dir);
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => {
        // An event without a name says something changed, not what: everything may have.
        // Without a name, or with the directory's own (it was removed or moved: the watch is
        // gone), nothing more can be told: always look from now on.
        if (name === null || String(name) === self) this.giveUp();
        // Only names asked about: temp files and the journal come and go by the thousand.
        else if (this.lookedAt.has(String(name))) this.changed.add(String(name));
      });
      this.watcher.on('error', () => this.giveUp());
    } catch {
      this.broken = true;
    }
  }

  /** Whether `name` may have changed since the last call that answered true for it. */
  mayHaveChanged(name: string, now = Date.now()): boolean {
    if (this.broken) return true;
    const last = this.lookedAt.get(name);
    if (this.changed.delete(name) || last === undefined || now - last >= this.recheckMs) {
      this.lookedAt.set(name, now);
      return true;
    }
    return false;
  }

  /**
   * Whether `name` may have changed since it was last looked at, without taking that
   * answer; past `recheckMs` (default: this one's) since that look counts as unsure.
   */
  pending(name: string, recheckMs = this.recheckMs, now = Date.now()): boolean {
    if (this.broken || this.changed.has(name)) return true;
    const last = this.lookedAt.get(name);
    return last === undefined || now - last >= recheckMs;
  }

  /** Stops watching. */
  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private giveUp(): void {
    this.broken = true;
    this.close();
  }
}
