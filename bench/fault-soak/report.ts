/** Renders a soak result as text: the config, faults by kind, both sides' figures and the ratios. */
import type { KindStats, SideStats } from './analyse.js';
import type { SoakResult, SideResult } from './run.js';

const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const mb = (kb: number | undefined): string => (kb === undefined ? '-' : `${(kb / 1024).toFixed(1)} MB`);
const ratio = (a: number | null, b: number | null): string =>
  a === null || b === null || b === 0 ? '-' : `${(a / b).toFixed(2)}×`;

type Row = [string, string, string, string];

/** One row per figure: label, ha-valet, naive, ratio. */
function table(rows: Row[]): string[] {
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
}

/** The recovery cell of one kind: "median / p99 / max (n)". */
function recoveryCell(k: KindStats | undefined): string {
  if (!k) return '-';
  const lost = k.unrecovered ? `, ${k.unrecovered} not recovered` : '';
  return `${s(k.medianMs)} / ${s(k.p99Ms)} / ${s(k.maxMs)} (${k.count}${lost})`;
}

/** Footprint cell: "RSS start → end (max), fds start → end (max)". */
function footCell(side: SideResult): [string, string] {
  const f = side.footprint;
  return [
    `${mb(f.start?.rssKb)} → ${mb(f.end?.rssKb)} (max ${mb(f.maxRssKb)})`,
    `${f.start?.fds ?? '-'} → ${f.end?.fds ?? '-'} (max ${f.maxFds})`,
  ];
}

/** The whole text report. */
export function renderReport(result: SoakResult): string {
  const [ha, naive] = result.sides as [SideResult, SideResult];
  const o = result.options;
  const kinds = [...new Set(result.faults.map((f) => f.kind))].sort();
  const byKind = kinds.map((k) => `${k} ${result.faults.filter((f) => f.kind === k).length}`).join(', ');
  const lines = [
    `fault soak: ${o.durationS} s of faults, mode ${o.mode} (next fault 3–8 s after the previous ${o.mode}), transport ${o.transport}, seed ${o.seed}`,
    `window ${(result.windowMs / 1000).toFixed(1)} s, ${ha.stats.samples} samples per side; load ${result.loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${result.loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
    `faults: ${result.faults.length} (${byKind})`,
    `ha-valet: ${ha.command} over ${ha.hosts.join(', ')}`,
    `naive:    ${naive.command}`,
    '',
  ];
  /** A row comparing one numeric figure of both sides. */
  const compare = (label: string, figure: (x: SideStats) => number, show: (x: number) => string = s): Row => [
    label,
    show(figure(ha.stats)),
    show(figure(naive.stats)),
    ratio(figure(ha.stats), figure(naive.stats)),
  ];
  const rows: Row[] = [
    ['', 'ha-valet', 'naive loop', 'ratio'],
    compare('availability', (x) => x.availability, pct),
    compare('longest outage', (x) => x.longestOutageMs),
    compare('double-active total', (x) => x.doubleActiveMs),
    compare('double-active longest', (x) => x.longestDoubleActiveMs),
    compare('double-active, hosts visible: total', (x) => x.visibleDoubleActiveMs),
    compare('double-active, hosts visible: longest', (x) => x.longestVisibleDoubleActiveMs),
  ];
  for (const kind of ['all', ...kinds]) {
    rows.push([
      `recovery ${kind} med/p99/max (n)`,
      recoveryCell(ha.stats.recovery[kind]),
      recoveryCell(naive.stats.recovery[kind]),
      ratio(ha.stats.recovery[kind]?.maxMs ?? null, naive.stats.recovery[kind]?.maxMs ?? null),
    ]);
  }
  const [haRss, haFds] = footCell(ha);
  const [nvRss, nvFds] = footCell(naive);
  rows.push(['supervisor RSS', haRss, nvRss, ''], ['supervisor open fds', haFds, nvFds, '']);
  rows.push(['instances at end', String(ha.instancesAtEnd), String(naive.instancesAtEnd), '']);
  rows.push(['left behind', String(ha.leftBehind.length), String(naive.leftBehind.length), '']);
  rows.push(['supervisor stop', ha.stopped, naive.stopped, '']);
  rows.push(['longest stop command (log)', s(ha.longestStopMs), '-', '']);
  for (const [pattern, n] of Object.entries(ha.logCounts))
    rows.push([`log lines "${pattern}"`, String(n), '-', '']);
  lines.push(...table(rows), '(ratio: ha-valet / naive; recovery ratio compares the worst)');
  for (const side of result.sides)
    for (const p of side.leftBehind) lines.push(`left behind by ${side.name}: ${p}`);
  const slow = ha.stats.recoveries.filter((r) => r.ms === null || r.ms > 2000);
  if (slow.length)
    lines.push(
      `ha-valet recoveries over 2 s: ${slow.map((r) => `#${r.id} ${r.kind} ${s(r.ms)}`).join(', ')}`,
    );
  if (result.dir) lines.push(`kept: ${result.dir}`);
  return lines.join('\n');
}
