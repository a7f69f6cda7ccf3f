/**
 * A StateStore in front of another that writes only when something durable
 * changed (durablyEqual), and keeps the newest state in memory between
 * cycles. A watcher cycle in which nothing changed costs no write and no fsync;
 * the newest observations reach the disk through the observation snapshot
 * (observation-snapshot.ts) once per interval instead.
 *
 * `load` returns the kept state while the stored record is the one this store
 * wrote last (cheaply, by the inner store's change token when it has one); a
 * record someone else wrote (an operator command, another leader) wins.
 */
import { durablyEqual, type DurableLimits } from './durable-equal.js';
import type { ProcessState } from './model.js';
import type { StateStore } from './state-store.js';

/** Stores that can tell cheaply whether a record changed since a token was taken. */
export interface TokenStateStore extends StateStore {
  /** An opaque token that changes whenever the stored record changes; null when there is none. */
  changeToken?(process: string): Promise<string | null>;
}

interface Kept {
  /** What the inner store holds. */
  stored: ProcessState;
  /** The inner store's change token after that write or read. */
  token: string | null;
  /** The newest state (saved or not). */
  state: ProcessState;
}

export class ChangeAwareStateStore implements StateStore {
  private readonly kept = new Map<string, Kept>();
  private readonly forceNext = new Set<string>();
  /** Writes skipped because nothing durable changed (for tests and the bench). */
  skippedSaves = 0;

  constructor(
    private readonly inner: TokenStateStore,
    /** `check_count` and `min_uptime` of a process (bad checks past the one, sightings past the other are not durable news). */
    private readonly limitsOf: (process: string) => DurableLimits,
  ) {}

  /** The newest state: from memory while the stored record is still ours, else from the inner store. */
  async load(process: string): Promise<ProcessState> {
    const kept = this.kept.get(process);
    // Taken before the read: a write in between makes the next load read again (the safe side).
    const token = (await this.inner.changeToken?.(process)) ?? null;
    if (kept && token !== null && token === kept.token) return kept.state;
    const stored = await this.inner.load(process);
    if (kept && durablyEqual(kept.stored, stored, this.limitsOf(process))) {
      kept.token = token;
      return kept.state;
    }
    this.kept.set(process, { stored, token, state: stored });
    return stored;
  }

  /**
   * Keeps `state`; writes it through when it differs durably from what is stored, or when
   * `force` (then the next save writes too: an operator waiting on a request it made
   * looks for a save by the cycle after the one that claimed it).
   */
  async save(process: string, state: ProcessState, force = false): Promise<boolean> {
    const kept = this.kept.get(process);
    const forced = this.forceNext.delete(process) || force;
    if (force) this.forceNext.add(process);
    if (!forced && kept && durablyEqual(kept.stored, state, this.limitsOf(process))) {
      kept.state = state;
      this.skippedSaves++;
      return true;
    }
    const saved = await this.inner.save(process, state);
    if (!saved) return false;
    const token = (await this.inner.changeToken?.(process)) ?? null;
    this.kept.set(process, { stored: state, token, state });
    return true;
  }

  /** The newest state of every process this store has seen (for the observation snapshot). */
  newest(): Map<string, ProcessState> {
    return new Map([...this.kept].map(([name, kept]) => [name, kept.state]));
  }
}
