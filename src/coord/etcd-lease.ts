/**
 * One watcher's etcd lease, kept alive by our own loop so we know the age of
 * the last acknowledged keepalive (etcd3's Lease hides it and reports a lost
 * lease only after ~2×TTL). `lastAck` is the time the acknowledged keepalive
 * was *sent*: etcd cannot expire the lease before lastAck + TTL, so fencing on
 * `now - lastAck` is safe against a slow or frozen link.
 */
import type { Etcd3, ILeaseKeepAliveResponse } from 'etcd3';
import { CALL_DEADLINE_MS } from './etcd-client.js';

/** Keepalives per TTL; the fence (TTL/2) then tolerates two lost keepalives. */
const KEEPALIVES_PER_TTL = 5;
/** Keepalive calls allowed in flight at once (a frozen member must not block the others). */
const MAX_IN_FLIGHT = 3;
/** Attempts of one keepalive when each fails fast (connection refused by a dead member). */
const FAST_RETRIES = 4;

/** A granted lease and its keepalive loop. */
export class LeaseKeeper {
  /** Send time (epoch ms) of the newest acknowledged keepalive or of the grant. */
  lastAck = 0;
  /** Set once etcd said the lease is gone (TTL 0) or it cannot be alive any more. */
  lost = false;
  lastError: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private stopped = false;

  private constructor(
    private readonly client: Etcd3,
    readonly id: string,
    readonly ttlMs: number,
    grantSentAt: number,
  ) {
    this.lastAck = grantSentAt;
  }

  /** Grants a lease of `ttlMs` (rounded up to whole seconds) and starts keeping it alive. */
  static async grant(client: Etcd3, ttlMs: number): Promise<LeaseKeeper> {
    const sentAt = Date.now();
    const response = await client.leaseClient.leaseGrant(
      { TTL: Math.max(1, Math.ceil(ttlMs / 1000)), ID: 0 },
      { deadline: Date.now() + CALL_DEADLINE_MS },
    );
    const keeper = new LeaseKeeper(client, response.ID, ttlMs, sentAt);
    keeper.schedule();
    return keeper;
  }

  /** Milliseconds since the newest acknowledged keepalive was sent. */
  ackAge(now = Date.now()): number {
    return now - this.lastAck;
  }

  /** True while etcd may still hold the lease (not reported lost, acked within one TTL). */
  mayBeAlive(now = Date.now()): boolean {
    return !this.lost && !this.stopped && this.ackAge(now) < this.ttlMs;
  }

  /** Sends one keepalive and waits for its answer; throws when etcd cannot be reached. */
  async keepaliveOnce(): Promise<void> {
    const sentAt = Date.now();
    const deadlineMs = Math.min(CALL_DEADLINE_MS, Math.max(500, this.ttlMs / 2));
    const stream = await this.client.leaseClient.leaseKeepAlive({ deadline: sentAt + deadlineMs });
    const response = await new Promise<ILeaseKeepAliveResponse>((resolve, reject) => {
      stream.on('data', resolve);
      stream.on('error', reject);
      stream.write({ ID: this.id });
    }).finally(() => stream.end());
    if (Number(response.TTL) <= 0) {
      this.lost = true;
      throw new Error(`etcd says lease ${this.id} has expired`);
    }
    if (sentAt > this.lastAck) this.lastAck = sentAt;
  }

  /** A keepalive, retried at once (on another member) when it failed fast, e.g. a dead member. */
  private async keepaliveWithRetry(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const startedAt = Date.now();
      try {
        return await this.keepaliveOnce();
      } catch (error) {
        const fast = Date.now() - startedAt < this.ttlMs / KEEPALIVES_PER_TTL;
        if (this.lost || !fast || attempt >= FAST_RETRIES || this.stopped) throw error;
      }
    }
  }

  /** Stops the keepalive loop and revokes the lease (best effort: it expires anyway). */
  async revoke(): Promise<void> {
    this.stop();
    await this.client.leaseClient
      .leaseRevoke({ ID: this.id }, { deadline: Date.now() + CALL_DEADLINE_MS })
      .catch(() => undefined);
  }

  /** Stops the keepalive loop without revoking (the lease expires after its TTL). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the next keepalive after TTL / KEEPALIVES_PER_TTL. */
  private schedule(): void {
    if (this.stopped || this.lost) return;
    this.timer = setTimeout(() => this.tick(), this.ttlMs / KEEPALIVES_PER_TTL);
    this.timer.unref();
  }

  /** One loop step: a keepalive unless too many are stuck, then the next step. */
  private tick(): void {
    if (this.stopped) return;
    if (this.ackAge() > this.ttlMs * 2) this.lost = true; // certainly expired: get a new one
    if (this.lost) return;
    if (this.inFlight < MAX_IN_FLIGHT) {
      this.inFlight++;
      this.keepaliveWithRetry()
        .then(() => (this.lastError = null))
        .catch((error: Error) => (this.lastError = error))
        .finally(() => this.inFlight--);
    }
    this.schedule();
  }
}
