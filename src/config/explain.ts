/** Human and JSON views of a loaded config for `validate --explain` / `--json`. */
import { formatDiagnostic } from './diagnostics.js';
import type { Config, Diagnostic, ProcessConfig, SshSettings } from './model.js';
import { jobCommandTemplate } from '../jobs/build-job.js';
import type { JobConfig } from '../jobs/job-config.js';

/** A one-line summary: file, validity, processes in start order. */
export function formatSummary(config: Config): string {
  const names = config.processes.map((p) => p.name).join(', ');
  const warnings = config.warnings.length;
  const warned = warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
  const jobs =
    config.jobs.length > 0
      ? `; ${config.jobs.length} job${config.jobs.length === 1 ? '' : 's'}: ${config.jobs.map((j) => j.name).join(', ')}`
      : '';
  return `${config.file}: valid, ${config.processes.length} process${config.processes.length === 1 ? '' : 'es'}${names ? ` in start order: ${names}` : ''}${jobs}${warned}`;
}

/** Each process in start order with its candidates in preference order and their rendered commands. */
export function formatExplain(config: Config): string {
  const lines = [formatSummary(config), ''];
  for (const p of config.processes) lines.push(...explainProcess(p), '');
  for (const j of config.jobs) lines.push(...explainJob(j), '');
  return lines.join('\n');
}

/** ' via ssh user@host:22' or ' (local)'. */
function describeVia(candidate: { host: string; transport: string }, ssh: SshSettings): string {
  if (candidate.transport !== 'ssh') return ' (local)';
  return ` via ssh ${ssh.user ? `${ssh.user}@` : ''}${candidate.host}:${ssh.port}`;
}

/** The explain block of one process; a group's block lists its members' blocks, in start order. */
function explainProcess(p: ProcessConfig): string[] {
  if (p.members) {
    const extras = p.vip ? `, vip ${p.vip.cidr} (added last, removed first)` : '';
    return [
      `${p.name}  (group of ${p.members.length}, started in this order and stopped in reverse${extras})`,
      ...p.members.flatMap((m) => explainProcess(m).map((line) => `  ${line}`)),
    ];
  }
  const lines = [
    `${p.name}  (order ${p.order}, priority ${p.priority}, transport ${p.transport}, ${p.source.file}:${p.source.line})`,
  ];
  for (const c of p.candidates) {
    lines.push(`  ${c.rank}. ${c.host}${describeVia(c, p.ssh)}`);
    lines.push(`       start: ${c.commands.start}`);
    lines.push(`       stop:  ${c.commands.stop}`);
    lines.push(`       test:  ${c.commands.test}`);
    if (c.commands.fence !== undefined) lines.push(`       fence: ${c.commands.fence} (run on this machine)`);
  }
  return lines;
}

/** The explain block of one job: timing, policy and the command per host (`{slot}` shown as such). */
function explainJob(j: JobConfig): string[] {
  const timing =
    j.timing.kind === 'every' ? `every ${j.timing.everyMs / 1000} s` : `schedule ${j.timing.text}`;
  const where = j.withProcess ? `, with ${j.withProcess}` : '';
  const lines = [
    `${j.name}  (job: ${timing}, timeout ${j.timeoutMs / 1000} s, overlap ${j.overlap}${j.sticky ? ', sticky' : ''}${where}, ${j.source.file}:${j.source.line})`,
  ];
  for (const c of j.candidates) {
    lines.push(`  ${c.rank}. ${c.host}${describeVia(c, j.ssh)}`);
    lines.push(`       run: ${jobCommandTemplate(c)}`);
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
  return {
    file,
    valid: true,
    errors,
    warnings,
    global: config.global,
    processes: config.processes,
    jobs: config.jobs.map((j) => ({
      ...j,
      candidates: j.candidates.map((c) => ({ ...c, command: jobCommandTemplate(c) })),
    })),
  };
}
