/**
 * Issue 11's targets, checked against one soak result. At --interval 1:
 * - faults spaced from recovery: availability ≥ the naive loop's; worst recovery from kills and
 *   failed starts ≤ 2 s (≤ 3 s over SSH);
 * - faults spaced from injection: longest outage ≤ the documented bound (default 10 s) + 1 interval;
 * - always: double-active (while every host is visible to its test) no longer than one interval
 *   plus the longest stop ha-valet logged; RSS and fds flat (end within 20 % / 5 of the start).
 */
import type { SoakResult } from './run.js';

export interface TargetCheck {
  target: string;
  met: boolean;
  figure: string;
}

const INTERVAL_MS = 1000;
const sec = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** The targets that apply to `result`'s mode and transport. `boundMs`: the documented outage bound. */
export function checkTargets(result: SoakResult, boundMs: number): TargetCheck[] {
  const [ha, naive] = result.sides;
  if (!ha || !naive) return [];
  const checks: TargetCheck[] = [];
  if (result.options.mode === 'recovery') {
    checks.push({
      target: 'availability ≥ naive loop',
      met: ha.stats.availability >= naive.stats.availability,
      figure: `${(ha.stats.availability * 100).toFixed(1)} % vs ${(naive.stats.availability * 100).toFixed(1)} %`,
    });
    const limit = result.options.transport === 'ssh' ? 3000 : 2000;
    for (const kind of ['kill', 'failed-start']) {
      const k = ha.stats.recovery[kind];
      if (!k) continue;
      checks.push({
        target: `worst ${kind} recovery ≤ ${sec(limit)}`,
        met: k.unrecovered === 0 && k.maxMs !== null && k.maxMs <= limit,
        figure: `${sec(k.maxMs)} (${k.count} faults)`,
      });
    }
  } else {
    checks.push({
      target: `longest outage ≤ bound ${sec(boundMs)} + interval`,
      met: ha.stats.longestOutageMs <= boundMs + INTERVAL_MS,
      figure: sec(ha.stats.longestOutageMs),
    });
  }
  const allowance = INTERVAL_MS + (ha.longestStopMs ?? 0);
  checks.push({
    target: `double-active (hosts visible) ≤ interval + longest stop = ${sec(allowance)}`,
    met: ha.stats.longestVisibleDoubleActiveMs <= allowance,
    figure: sec(ha.stats.longestVisibleDoubleActiveMs),
  });
  const { start, end } = ha.footprint;
  checks.push({
    target: 'RSS and fds flat (end ≤ start + 20 %, fds ≤ start + 5)',
    met: !!start && !!end && end.rssKb <= start.rssKb * 1.2 && end.fds <= start.fds + 5,
    figure:
      start && end ? `RSS ${start.rssKb} → ${end.rssKb} kB, fds ${start.fds} → ${end.fds}` : 'not measured',
  });
  checks.push({
    target: 'nothing left behind',
    met: ha.leftBehind.length === 0,
    figure: `${ha.leftBehind.length} processes`,
  });
  return checks;
}
