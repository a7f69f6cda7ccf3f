/**
 * The human status output: one aligned row per candidate host, the process's
 * name and state on its first row, problems and watcher health below.
 */
import type { JobReport } from '../jobs/job-status.js';
import { describeAge, describeSpan } from './format.js';
import type { ProcessReport, Severity, StatusReport } from './status-schema.js';

export interface TableOptions {
  /** ANSI colours; see shouldUseColor. */
  color: boolean;
}

const HEADERS = [
  'PROCESS',
  'STATE',
  'HOST',
  'RANK',
  'CHECK',
  'PRIO',
  'CHECKED',
  'LAST ACTION',
  'RESTARTS',
  'FLAGS',
  'NOTE',
];

const ANSI = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
};

/** Colour only for a terminal, and never when NO_COLOR is set to something (no-color.org). */
export function shouldUseColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** The colour of a severity. */
function colorOf(severity: Severity): string {
  return severity === 'ok' ? ANSI.green : severity === 'critical' ? ANSI.red : ANSI.yellow;
}

/** Renders the whole report as text ending in a newline. */
export function renderStatusTable(report: StatusReport, options: TableOptions): string {
  const rows: Array<{ cells: string[]; colors: Array<string | null> }> = [];
  for (const proc of report.processes) rows.push(...processRows(proc));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]?.length ?? 0)));
  const paint = (text: string, color: string | null): string =>
    options.color && color ? `${color}${text}${ANSI.reset}` : text;
  const line = (cells: string[], colors: Array<string | null>): string =>
    cells
      .map((cell, i) => paint(i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0), colors[i] ?? null))
      .join('  ')
      .trimEnd();

  const out = [
    line(
      HEADERS,
      HEADERS.map(() => (options.color ? ANSI.bold : null)),
    ),
  ];
  for (const row of rows) out.push(line(row.cells, row.colors));
  out.push('');
  out.push(paint(describeOverall(report), colorOf(report.overall)));
  for (const problem of report.problems)
    out.push(paint(`  ! ${problem}`, options.color ? ANSI.yellow : null));
  if (report.jobs.length > 0) {
    out.push('', paint('JOBS', options.color ? ANSI.bold : null));
    for (const job of report.jobs)
      out.push(paint(describeJob(job, report.generatedAt), colorOf(job.severity)));
  }
  if (report.checks) {
    out.push('', paint('CHECKS', options.color ? ANSI.bold : null));
    for (const c of report.checks) {
      const mark = paint(c.ok ? 'ok  ' : 'FAIL', c.ok ? ANSI.green : ANSI.red);
      out.push(`  ${mark}  ${c.check.padEnd(18)}  ${c.target}: ${c.detail}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** `  Cleanup  every 30 s  last: ok on Host_A 12s ago (exit 0, 40 ms)  next: in 18s`. */
function describeJob(job: JobReport, now: number): string {
  const last = job.lastRun;
  const lastText = last
    ? `last: ${last.ok ? 'ok' : 'FAILED'}${last.host ? ` on ${last.host}` : ''} ${describeAge(now - last.startedAt)} (${last.exitCode === null ? 'no exit code' : `exit ${last.exitCode}`}, ${last.durationMs} ms)`
    : 'last: never';
  const next = job.running
    ? 'running now'
    : job.nextRunAt === null
      ? 'next: never'
      : job.nextRunAt <= now
        ? 'next: due now'
        : `next: in ${describeSpan(job.nextRunAt - now)}`;
  const failures = job.failuresInRow > 0 ? `  ${job.failuresInRow} failed in a row` : '';
  return `  ${job.name}  ${job.timing}  ${lastText}  ${next}${failures}`;
}

type Row = { cells: string[]; colors: Array<string | null> };

/** The colour of an observation kind. */
function kindColorOf(kind: string | null): string {
  return kind === null ? ANSI.dim : kind === 'up' ? ANSI.green : kind === 'down' ? ANSI.red : ANSI.yellow;
}

/** The rows of one process (one per candidate host, by rank), then a group's members indented under it. */
function processRows(proc: ProcessReport): Row[] {
  return [...hostRows(proc), ...memberRows(proc)];
}

/** A group's members: one row per member and host, the member named on its first row. */
function memberRows(proc: ProcessReport): Row[] {
  return (proc.members ?? []).flatMap((member) =>
    member.hosts.map((h, index) => {
      const cells = [
        index === 0 ? `  ${member.name}` : '',
        '',
        ` ${h.host}`,
        '',
        h.kind ?? '-',
        h.priority !== null ? String(h.priority) : '-',
        '',
        '',
        '',
        '',
        h.reason ?? '',
      ];
      const colors = [null, null, null, null, kindColorOf(h.kind), null, null, null, null, null, ANSI.dim];
      return { cells, colors };
    }),
  );
}

/** One row per candidate host, by rank, the process's name and state on the first. */
function hostRows(proc: ProcessReport): Row[] {
  const stateColor = colorOf(proc.severity);
  return proc.hosts.map((host, index) => {
    const obs = host.observation;
    const first = index === 0;
    const cells = [
      first ? proc.name : '',
      first ? proc.state : '',
      `${host.active ? '*' : ' '}${host.host}`,
      String(host.rank),
      obs ? (proc.members && obs.reason?.startsWith('partial:') ? 'partial' : obs.kind) : '-',
      obs?.priority != null ? String(obs.priority) : '-',
      obs ? describeAge(obs.ageMs) : 'never',
      first ? describeAction(proc) : '',
      first ? `${proc.restarts.inWindow}/${proc.restarts.max}` : '',
      first ? describeFlags(proc) : '',
      obs?.reason ?? '',
    ];
    const kindColor = kindColorOf(obs?.kind ?? null);
    const colors = [
      ANSI.bold,
      stateColor,
      host.active ? ANSI.bold : null,
      null,
      kindColor,
      null,
      ANSI.dim,
      null,
      null,
      null,
      ANSI.dim,
    ];
    return { cells, colors };
  });
}

/** `start Host_B ok 2m ago`, or `-`. */
function describeAction(proc: ProcessReport): string {
  const a = proc.lastAction;
  if (!a) return '-';
  return `${a.type}${a.host ? ` ${a.host}` : ''} ${a.ok ? 'ok' : 'FAILED'} ${describeAge(a.ageMs)}`;
}

/** Comma-separated flags: maintenance, latched, request, degraded markers. */
function describeFlags(proc: ProcessReport): string {
  const flags: string[] = [];
  if (proc.flags.maintenance) flags.push('maintenance');
  if (proc.flags.latched) flags.push('latched');
  if (proc.flags.pendingRequest) flags.push(`request:${proc.flags.pendingRequest.type}`);
  if (proc.degraded.notOnPreferredHost) flags.push('not-preferred');
  if (proc.degraded.unreachableStandbys.length > 0) flags.push('standby-unreachable');
  if (proc.vip) flags.push(`vip ${proc.vip.address}@${proc.vip.holders.join('+') || 'none'}`);
  if (proc.vip?.problem) flags.push('vip-problem');
  if (proc.disagreement) flags.push('watchers-disagree');
  const fence = proc.lastFence;
  if (fence) flags.push(`fence ${fence.host} ${fence.ok ? 'ok' : 'FAILED'} ${describeAge(fence.ageMs)}`);
  return flags.join(', ');
}

/** `2 processes: 1 up, 1 down; watcher alive (pid 42, heartbeat 2s ago); checked now`. */
export function describeOverall(report: StatusReport): string {
  const counts = Object.entries(report.summary.byState)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  const parts = [
    `${report.overall.toUpperCase()}: ${report.summary.total} process${report.summary.total === 1 ? '' : 'es'}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`,
  ];
  const w = report.watcher;
  if (w) {
    const beat = w.heartbeatAt === null ? 'no heartbeat' : `heartbeat ${describeAge(w.heartbeatAgeMs)}`;
    parts.push(
      `watcher ${w.alive ? 'alive' : 'NOT RUNNING'} (${w.pid !== null ? `pid ${w.pid}, ` : ''}${beat})`,
    );
  }
  if (report.coordination) {
    parts.push(`coordination ${report.coordination.backend} ${report.coordination.ok ? 'ok' : 'LOST'}`);
  }
  parts.push(report.source === 'probe' ? 'checked now' : "watcher's last checks");
  return parts.join('; ');
}
