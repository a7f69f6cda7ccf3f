/** Human and JSON views of a loaded config for `validate --explain` / `--json`. */
import { formatDiagnostic } from './diagnostics.js';
import type { Config, Diagnostic, ProcessConfig } from './model.js';

/** A one-line summary: file, validity, processes in start order. */
export function formatSummary(config: Config): string {
  const names = config.processes.map((p) => p.name).join(', ');
  const warnings = config.warnings.length;
  const warned = warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
  return `${config.file}: valid, ${config.processes.length} process${config.processes.length === 1 ? '' : 'es'} in start order: ${names}${warned}`;
}

/** Each process in start order with its candidates in preference order and their rendered commands. */
export function formatExplain(config: Config): string {
  const lines = [formatSummary(config), ''];
  for (const p of config.processes) lines.push(...explainProcess(p), '');
  return lines.join('\n');
}

/** The explain block of one process. */
function explainProcess(p: ProcessConfig): string[] {
  const lines = [
    `${p.name}  (order ${p.order}, priority ${p.priority}, transport ${p.transport}, ${p.source.file}:${p.source.line})`,
  ];
  for (const c of p.candidates) {
    const via =
      c.transport === 'ssh'
        ? ` via ssh ${p.ssh.user ? `${p.ssh.user}@` : ''}${c.host}:${p.ssh.port}`
        : ' (local)';
    lines.push(`  ${c.rank}. ${c.host}${via}`);
    lines.push(`       start: ${c.commands.start}`);
    lines.push(`       stop:  ${c.commands.stop}`);
    lines.push(`       test:  ${c.commands.test}`);
    if (c.commands.fence !== undefined) lines.push(`       fence: ${c.commands.fence} (run on this machine)`);
  }
  return lines;
}

/** A diagnostic as JSON, with its formatted line. */
function diagnosticJson(d: Diagnostic): Diagnostic & { text: string } {
  return { ...d, text: formatDiagnostic(d) };
}

/** The JSON document `validate --json` prints, valid or not. */
export function explainJson(file: string, config: Config | null, diagnostics: Diagnostic[]): object {
  const errors = diagnostics.filter((d) => d.severity === 'error').map(diagnosticJson);
  const warnings = diagnostics.filter((d) => d.severity === 'warning').map(diagnosticJson);
  if (!config) return { file, valid: false, errors, warnings };
  return { file, valid: true, errors, warnings, global: config.global, processes: config.processes };
}
