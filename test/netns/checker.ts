/**
 * Reads a partition run back: double-active windows as the client saw them,
 * and takeovers that were not preceded by a successful fence.
 *
 * A takeover is a successful `start` on host X (journal) begun while another
 * host P had answered the client within TAKEOVER_WINDOW_MS before, unless P's
 * instance crashed on its own in that window (the test's ground truth): then
 * the watchers could see P answer `down`, and no fence is owed. Any other P was
 * not confirmed down (unreachable, partitioned, powered off), so the checker
 * demands a successful fence of P in the journal (`event: 'fence'`, ok) AND in
 * the fence script's own log, within FENCE_LOOKBACK_MS before the start began
 * (the journal line may carry the end of the fence, so up to the start's end).
 */
import type { JournalEntry } from '../../src/state/model.js';
import type { Sample } from './cluster.js';

const FENCE_LOOKBACK_MS = 20_000;
const TAKEOVER_WINDOW_MS = 10_000;
/** The client samples every 100 ms: one answering sample stands for that long. */
export const SAMPLE_MS = 100;

/** A stretch of consecutive samples with two or more instances answering. */
export interface DoubleWindow {
  from: number;
  to: number;
  ms: number;
  hosts: string[];
}

/** Consecutive samples with more than one host answering, merged into windows. */
export function doubleActiveWindows(samples: Sample[]): DoubleWindow[] {
  const windows: DoubleWindow[] = [];
  let open: DoubleWindow | null = null;
  for (const sample of samples) {
    if (sample.up.length > 1) {
      if (!open) {
        open = { from: sample.t, to: sample.t, ms: SAMPLE_MS, hosts: [] };
        windows.push(open);
      }
      open.to = sample.t;
      open.ms = open.to - open.from + SAMPLE_MS;
      open.hosts = [...new Set([...open.hosts, ...sample.up])].sort();
    } else {
      open = null;
    }
  }
  return windows;
}

/** Total double-active time of some windows. */
export function totalMs(windows: DoubleWindow[]): number {
  return windows.reduce((sum, w) => sum + w.ms, 0);
}

/** One takeover the checker looked at. */
export interface Takeover {
  at: number;
  to: string;
  from: string;
  fencedInJournal: boolean;
  fencedForReal: boolean;
}

/**
 * Every takeover from a host not confirmed down, with whether it was fenced
 * first. `fences` are the fence script's own records [ms, host]; `crashes`
 * the instances killed on purpose (a crash, not a fence) [ms, host].
 */
export function takeovers(
  journal: JournalEntry[],
  samples: Sample[],
  fences: Array<[number, string]>,
  crashes: Array<[number, string]> = [],
): Takeover[] {
  const found: Takeover[] = [];
  for (const entry of journal) {
    if (entry.event !== 'start' || entry.ok !== true || !entry.host) continue;
    const begun = entry.at - (entry.durationMs ?? 0);
    const recent = samples.filter((s) => s.t >= begun - TAKEOVER_WINDOW_MS && s.t <= begun);
    const answered = new Set(recent.flatMap((s) => s.up));
    for (const from of answered) {
      if (from === entry.host) continue;
      if (crashes.some(([t, host]) => host === from && t >= begun - TAKEOVER_WINDOW_MS && t <= begun))
        continue;
      const inWindow = (t: number): boolean => t >= begun - FENCE_LOOKBACK_MS;
      found.push({
        at: begun,
        to: entry.host,
        from,
        fencedInJournal: journal.some(
          (e) =>
            e.event === 'fence' && e.ok === true && e.host === from && inWindow(e.at) && e.at <= entry.at,
        ),
        fencedForReal: fences.some(([t, host]) => host === from && inWindow(t) && t <= begun),
      });
    }
  }
  return found;
}

/** Median and maximum of some figures (0 when there are none). */
export function medianMax(values: number[]): { median: number; max: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, max: sorted.at(-1) ?? 0, count: sorted.length };
}
