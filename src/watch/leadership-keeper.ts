/**
 * Keeps asking the coordinator whether this watcher may act, so every cycle
 * reads a current answer. A backend that cannot be reached means "do not act".
 */
import type { Coordinator, Leadership } from '../coord/coordinator.js';
import type { Logger } from '../log/logger.js';

export class LeadershipKeeper {
  private leadership: Leadership | null = null;
  private lastProblem: string | null = null;
  /** The role last logged; null before the first refresh, so the first role is logged too. */
  private wasLeader: boolean | null = null;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly logger: Logger,
  ) {}

  /** The leadership to act under now, or null (follower, or coordination lost). */
  current(): Leadership | null {
    return this.leadership?.isValid() ? this.leadership : null;
  }

  /**
   * Asks the coordinator again, also while leading (a valid leadership comes back at
   * once, and the backend refreshes the leader's heartbeat); logs changes of role and
   * of coordination health once each.
   */
  async refresh(): Promise<Leadership | null> {
    try {
      this.leadership = await this.coordinator.acquire();
      if (this.lastProblem !== null)
        this.logger.info(`coordination back: ${this.coordinator.health().message}`);
      this.lastProblem = null;
    } catch (error) {
      this.leadership = null;
      const message = (error as Error).message;
      if (message !== this.lastProblem) this.logger.error(`coordination lost: ${message}; not acting`);
      this.lastProblem = message;
    }
    const leader = this.current() !== null;
    if (leader !== this.wasLeader) {
      this.logger.info(
        leader
          ? `leading: this watcher acts (epoch ${this.leadership?.epoch})`
          : 'following: another watcher acts',
      );
      this.wasLeader = leader;
    }
    return this.current();
  }
}
