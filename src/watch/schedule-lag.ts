/**
 * How far behind its schedule the watcher runs. Each process's cycle is due one
 * interval after its previous one began; its lag is how much later it began.
 * A process whose own test is slow lags alone (the others keep their schedule);
 * many lagging at once means the machine cannot keep up with the checks asked.
 * The watcher logs when lagging starts and ends, reports it in the heartbeat
 * (status warns) and as metrics.
 */
import type { ScheduleLagStatus } from '../report/status-schema.js';

/** A cycle that begins later than this fraction of the interval counts as lagging. */
export const LAG_FRACTION = 0.5;

/** What status and metrics show. */
export type LagSummary = ScheduleLagStatus;

export class ScheduleLag {
  private readonly lastLag = new Map<string, number>();
  private wasLagging = false;

  constructor(private readonly intervalMs: () => number) {}

  /** Records the lag of the cycle `process` is beginning now. */
  record(process: string, lagMs: number): void {
    this.lastLag.set(process, Math.max(0, Math.round(lagMs)));
  }

  /** Forgets processes no longer watched (after a reload). */
  keepOnly(processes: string[]): void {
    const keep = new Set(processes);
    for (const name of this.lastLag.keys()) if (!keep.has(name)) this.lastLag.delete(name);
  }

  /** The current picture. */
  summary(): LagSummary {
    const limit = this.intervalMs() * LAG_FRACTION;
    let lagging = 0;
    let worstMs = 0;
    let worstProcess: string | null = null;
    for (const [name, lag] of this.lastLag) {
      if (lag > limit) lagging++;
      if (lag > worstMs) {
        worstMs = lag;
        worstProcess = name;
      }
    }
    return { lagging, total: this.lastLag.size, worstMs, worstProcess };
  }

  /** A log line when lagging starts or ends (null when nothing changed). */
  transition(): string | null {
    const summary = this.summary();
    const lagging = summary.lagging > 0;
    if (lagging === this.wasLagging) return null;
    this.wasLagging = lagging;
    return lagging
      ? `falling behind: ${describeLag(summary)}; checks run less often than every ${this.intervalMs()} ms`
      : `back on schedule: every process checked within ${Math.round(this.intervalMs() * LAG_FRACTION)} ms of its time`;
  }
}

/** `3 of 200 processes checked late (worst: Web, 1.2 s)`. */
export function describeLag(summary: LagSummary): string {
  const worst = summary.worstProcess
    ? ` (worst: ${summary.worstProcess}, ${(summary.worstMs / 1000).toFixed(1)} s)`
    : '';
  return `${summary.lagging} of ${summary.total} processes checked late${worst}`;
}
