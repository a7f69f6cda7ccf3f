/**
 * The Nagios/Icinga check plugin output, per the monitoring-plugins guidelines:
 * one status line `HA-VALET OK - 2 processes up | perfdata`, then one line per
 * process (long output), exit 0/1/2/3 for OK/WARNING/CRITICAL/UNKNOWN.
 */
import { severityExitCode, type Severity, type StatusReport } from './status-schema.js';

export interface NagiosResult {
  exitCode: 0 | 1 | 2 | 3;
  /** The whole plugin output, ending in a newline. */
  text: string;
}

/** Renders the plugin output and exit code for a report. */
export function renderNagios(report: StatusReport): NagiosResult {
  const { total, up } = report.summary;
  const counted = `${up} of ${total} process${total === 1 ? '' : 'es'} up`;
  const summary =
    report.overall === 'ok'
      ? `${total} process${total === 1 ? '' : 'es'} up`
      : `${report.problems.join('; ')}${total > 0 ? ` (${counted})` : ''}`;
  const lines = [`HA-VALET ${label(report.overall)} - ${oneLine(summary)} | ${perfdata(report)}`];
  for (const proc of report.processes) {
    lines.push(`${proc.name}: ${label(proc.severity)} - ${oneLine(proc.summary)}`);
  }
  return { exitCode: severityExitCode(report.overall), text: `${lines.join('\n')}\n` };
}

/** Output for a check that could not even build a report (config error, unreadable state). */
export function renderNagiosUnknown(message: string): NagiosResult {
  return { exitCode: 3, text: `HA-VALET UNKNOWN - ${oneLine(message)}\n` };
}

/** OK, WARNING, CRITICAL or UNKNOWN. */
function label(severity: Severity): string {
  return severity.toUpperCase();
}

/** Plugin output must not contain a newline or a pipe outside the perfdata separator. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '/');
}

/** Performance data: 'label'=value[UOM];warn;crit;min;max per guidelines. */
function perfdata(report: StatusReport): string {
  const items: string[] = [];
  for (const proc of report.processes) {
    const name = perfLabel(proc.name);
    items.push(`'${name}_up'=${proc.running ? 1 : 0};;;0;1`);
    items.push(`'${name}_priority'=${proc.activePriority ?? 0};;;0;`);
    items.push(`'${name}_restarts'=${proc.restarts.inWindow};;${proc.restarts.max};0;`);
    if (proc.lastCheckAgeMs !== null)
      items.push(`'${name}_check_age'=${Math.round(proc.lastCheckAgeMs / 1000)}s;;;0;`);
  }
  if (report.watcher?.heartbeatAgeMs != null) {
    items.push(`'watcher_heartbeat_age'=${Math.round(report.watcher.heartbeatAgeMs / 1000)}s;;;0;`);
  }
  return items.join(' ');
}

/** A perfdata label may not contain quotes or '='. */
function perfLabel(name: string): string {
  return name.replace(/['=\s]/g, '_');
}
