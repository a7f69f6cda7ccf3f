/**
 * The remote runner's monotonic clock as the watcher sees it, for one purpose:
 * to write "the moment the watcher stops waiting for this command" in the
 * runner's clock, so the runner can refuse a command that reaches it later
 * (held up by a stalled link or a frozen host, delivered once the watcher has
 * reported its timeout and may have started the service elsewhere).
 *
 * Both clocks are monotonic; their difference only drifts. Each probe sent at
 * our time `sent` and answered with the runner's time `remote` bounds that
 * difference from above (remote − sent: the answer was stamped after the send).
 * The tightest of the last PROBES_KEPT bounds is used, each loosened by
 * DRIFT_ALLOWANCE per ms since it was taken, so the latest start is never
 * earlier than the true moment and a command the watcher still waits for is not
 * refused. The bound is loose by one round trip: a command delayed by less than
 * that past its timeout may still run.
 *
 * A clock that stopped (this machine suspended: CLOCK_MONOTONIC does not count
 * it) breaks the bound; the runner then refuses a command we still wait for,
 * which the runner (ssh-runner.ts) takes as proof: it forgets the bounds
 * (`reset`) and sends the command again without a latest start. Keeping only
 * the last few bounds lets the estimate follow such a jump by itself too.
 */

/** 100 ppm: well above the drift of a quartz clock, so a bound stays a bound between probes. */
export const DRIFT_ALLOWANCE = 1e-4;
/** How often a runner's clock is probed again. */
export const CLOCK_PROBE_INTERVAL_MS = 30_000;
/** Bounds kept (the greeting's and the probes'): the tightest of them is used. */
export const PROBES_KEPT = 4;

export class RunnerClock {
  /** Recent bounds on (runner clock − our clock), each with our time from which it holds. */
  private bounds: Array<{ bound: number; at: number }> = [];

  /**
   * A probe sent at our time SENT was answered with the runner's time REMOTE (both
   * may be floored to whole ms). The drift allowance runs from SENT, the earliest
   * moment the runner could have read its clock.
   */
  observe(sent: number, remote: number): void {
    if (!Number.isFinite(sent) || !Number.isFinite(remote)) return;
    this.bounds.push({ bound: remote - sent, at: sent });
    if (this.bounds.length > PROBES_KEPT) this.bounds.shift();
  }

  /** Forgets every bound: commands carry no latest start until the next probe is answered. */
  reset(): void {
    this.bounds = [];
  }

  /** An upper bound on (runner clock − our clock) at our time NOW; null before any probe. */
  offsetAt(now: number): number | null {
    let best: number | null = null;
    for (const { bound, at } of this.bounds) {
      const offset = bound + DRIFT_ALLOWANCE * Math.max(0, now - at);
      if (best === null || offset < best) best = offset;
    }
    return best;
  }

  /**
   * The runner's time (whole ms) by which a command sent at our time SENT, waited
   * for TIMEOUT ms, must have reached it; null before any probe.
   */
  latestStart(sent: number, timeoutMs: number): number | null {
    const givesUp = sent + timeoutMs;
    const offset = this.offsetAt(givesUp);
    // +1: the runner floors its clock to whole ms, so a reading may be up to 1 ms under the truth.
    // Never below 0: the runner reads only digits (and its clock is never negative).
    return offset === null ? null : Math.max(0, Math.ceil(givesUp + offset) + 1);
  }
}
