/**
 * Turns samples and the fault log into the soak's figures, for one side at a time.
 * Healthy = exactly one instance answers. A kill or a failed start disturbs the world while nothing
 * answers; a split brain or a host fault while not exactly one answers. Recovery of a fault on a side:
 * - a kill, a failed start or a split brain acts at once: from the injection to the first sample
 *   no longer disturbed after the first disturbed one (0 when no sample within 1 s after it was);
 * - a lasting host fault (255, hang, sshd) may disturb nothing: from its first disturbed sample
 *   (between the injection and 1 s after the fault ended) to the first undisturbed sample at or
 *   after its end; 0 when it disturbed nothing.
 */
import { HOST_FAULTS, IMMEDIATE, type FaultKind } from './faults.js';
import { answering, SAMPLE_MS, type Sample } from './sampler.js';

export interface FaultEvent {
  id: number;
  kind: FaultKind;
  /** Injection time (ms on the sampler's clock). */
  at: number;
  /** When a lasting fault was undone; null while it lasts; equal to `at` for immediate faults. */
  endedAt: number | null;
  durationMs: number;
  /** Per side: did the fault find something to act on, and on which host. */
  sides: Array<{ applied: boolean; host: string | null }>;
}

export type Recovery = { state: 'pending' } | { state: 'done'; ms: number; at: number };

const healthy = (mask: number): boolean => answering(mask) === 1;
/** What a fault of `kind` disturbs: a death leaves nothing up; the others leave not exactly one. */
const disturbed = (kind: FaultKind, mask: number): boolean =>
  kind === 'kill' || kind === 'failed-start' ? answering(mask) === 0 : !healthy(mask);

/** Recovery of `fault` on side `s`, from the complete samples so far. */
export function recoveryOf(samples: readonly Sample[], s: number, fault: FaultEvent): Recovery {
  if (fault.endedAt === null) return { state: 'pending' };
  const immediate = IMMEDIATE.has(fault.kind);
  const settle = immediate ? fault.at : fault.endedAt;
  const lookUntil = (immediate ? fault.at : fault.endedAt) + 1000;
  let first = -1;
  for (let i = lowerBound(samples, fault.at); i < samples.length; i += 1) {
    const sample = samples[i]!;
    if (first < 0 && sample.t > lookUntil) break;
    if (first < 0 && disturbed(fault.kind, sample.masks[s]!)) first = i;
    if (first >= 0 && i > first && sample.t >= settle && !disturbed(fault.kind, sample.masks[s]!)) {
      const from = immediate ? fault.at : samples[first]!.t;
      return { state: 'done', ms: sample.t - from, at: sample.t };
    }
  }
  if (first >= 0) return { state: 'pending' };
  // Never unhealthy: done once the look-ahead window is covered by samples.
  const last = samples[samples.length - 1];
  return last && last.t > lookUntil ? { state: 'done', ms: 0, at: settle } : { state: 'pending' };
}

/** Index of the first sample at or after `t`. */
function lowerBound(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface KindStats {
  count: number;
  medianMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Recoveries still pending at the end of the run. */
  unrecovered: number;
}

export interface SideStats {
  samples: number;
  availability: number;
  longestOutageMs: number;
  doubleActiveMs: number;
  longestDoubleActiveMs: number;
  /** Double-active while no host of the side had a fault hiding it from its test (255, hang, sshd). */
  visibleDoubleActiveMs: number;
  longestVisibleDoubleActiveMs: number;
  recovery: Record<string, KindStats>;
  /** Every recovery in ms, by fault id (null: not recovered). */
  recoveries: Array<{ id: number; kind: FaultKind; ms: number | null }>;
}

/** Nearest-rank quantile q of sorted `xs`. */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Summary of a list of recoveries. */
function kindStats(ms: Array<number | null>): KindStats {
  const done = ms.filter((m): m is number => m !== null).sort((a, b) => a - b);
  return {
    count: ms.length,
    medianMs: quantile(done, 0.5),
    p99Ms: quantile(done, 0.99),
    maxMs: done.length ? done[done.length - 1]! : null,
    unrecovered: ms.length - done.length,
  };
}

/** Longest run (ms) of consecutive samples matching `bad`, and their total (ms). */
function runs(
  samples: readonly Sample[],
  s: number,
  bad: (n: number, t: number) => boolean,
): { total: number; longest: number } {
  let total = 0;
  let longest = 0;
  let start: number | null = null;
  for (const sample of samples) {
    if (bad(answering(sample.masks[s]!), sample.t)) {
      total += SAMPLE_MS;
      start ??= sample.t;
      longest = Math.max(longest, sample.t - start + SAMPLE_MS);
    } else start = null;
  }
  return { total, longest };
}

/** Figures for side `s` over the samples in [from, to]. */
export function analyseSide(
  all: readonly Sample[],
  s: number,
  faults: readonly FaultEvent[],
  from: number,
  to: number,
): SideStats {
  const window = all.filter((x) => x.t >= from && x.t <= to);
  const up = window.filter((x) => answering(x.masks[s]!) > 0).length;
  const outage = runs(window, s, (n) => n === 0);
  const double = runs(window, s, (n) => n > 1);
  const hidden = faults.filter((f) => HOST_FAULTS.has(f.kind) && f.sides[s]!.applied);
  const visible = runs(
    window,
    s,
    (n, t) => n > 1 && !hidden.some((f) => f.at <= t && t <= (f.endedAt ?? Infinity)),
  );
  const recoveries = faults
    .filter((f) => f.sides[s]!.applied)
    .map((f) => {
      const r = recoveryOf(all, s, f);
      return { id: f.id, kind: f.kind, ms: r.state === 'done' ? r.ms : null };
    });
  const kinds = [...new Set(recoveries.map((r) => r.kind))].sort();
  const recovery: Record<string, KindStats> = { all: kindStats(recoveries.map((r) => r.ms)) };
  for (const kind of kinds)
    recovery[kind] = kindStats(recoveries.filter((r) => r.kind === kind).map((r) => r.ms));
  return {
    samples: window.length,
    availability: window.length ? up / window.length : 0,
    longestOutageMs: outage.longest,
    doubleActiveMs: double.total,
    longestDoubleActiveMs: double.longest,
    visibleDoubleActiveMs: visible.total,
    longestVisibleDoubleActiveMs: visible.longest,
    recovery,
    recoveries,
  };
}
