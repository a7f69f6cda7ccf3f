/**
 * The cleanups of failed starts still running in the background of a pass. A start that
 * exits non-zero has its stop command run while the pass goes on to the next host; the
 * pass waits for them (and decides again on what they saw) before it ends.
 */
import type { Observation } from '../probe/observation.js';

/** What the cleanup of one failed start did, for the journal and the next decide round. */
export interface SettledCleanup {
  process: string;
  host: string;
  /** Why the start failed. */
  why: string;
  /** The stop command, or null when it was not run (no longer acting). */
  command: string | null;
  exitCode: number | null;
  durationMs: number;
  /** The host's test after the stop, when it ran. */
  observation: Observation | null;
}

export class PendingCleanups {
  private readonly running = new Set<Promise<SettledCleanup>>();

  /** Tracks a cleanup that has begun; a rejection surfaces from drain(), not as unhandled. */
  add(cleanup: Promise<SettledCleanup>): void {
    cleanup.catch(() => undefined);
    this.running.add(cleanup);
  }

  get size(): number {
    return this.running.size;
  }

  /** Waits for every cleanup begun so far and forgets them. */
  async drain(): Promise<SettledCleanup[]> {
    const all = [...this.running];
    this.running.clear();
    return Promise.all(all);
  }
}
