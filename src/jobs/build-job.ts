/**
 * Builds one JobConfig from a job section (a section with `run`), with
 * [DEFAULT] as fallback, reporting every problem with its file and line.
 */
import { parseOneTemplate, type TemplateValues } from '../config/build-commands.js';
import { readSsh, readStandByList, TRANSPORTS } from '../config/build-process.js';
import { unitNamed } from '../config/find-unit.js';
import type { ProcessConfig, Transport } from '../config/model.js';
import type { RawSection } from '../config/read-sections.js';
import { SectionReader, type ReaderContext } from '../config/section-reader.js';
import { renderTemplate, type Template } from '../config/template.js';
import { FORMS, parseHost, parsePort, parseProtocol, parseUser } from '../config/values.js';
import { DURATION_FORM, tryParseDuration } from '../config/duration.js';
import { CRON_FORM, parseCron } from './cron.js';
import { OVERLAP_POLICIES, type JobCandidate, type JobConfig, type JobTiming } from './job-config.js';

/** Names the `run` template may use. `slot` is the slot's start, in epoch seconds. */
export const JOB_TEMPLATE_NAMES: Record<string, 'text' | 'number'> = {
  host: 'text',
  rank: 'number',
  job: 'text',
  user: 'text',
  port: 'number',
  protocol: 'text',
  slot: 'number',
  ssh_port: 'number',
  ssh_user: 'text',
};

/** The rendered command of a candidate for one slot. */
export function jobCommand(candidate: JobCandidate, slot: number): string {
  return candidate.command.replaceAll(SLOT_MARK, String(Math.floor(slot / 1000)));
}

/** The rendered command of a candidate with `{slot}` shown as written. */
export function jobCommandTemplate(candidate: JobCandidate): string {
  return candidate.command.replaceAll(SLOT_MARK, '{slot}');
}

/** Stands for the slot in a rendered command until a run fills it in (no template value can contain it). */
const SLOT_MARK = '\u0000slot\u0000';

/** Builds the job of one section, or null when it has errors (they are in the sink). */
export function buildJob(
  section: RawSection,
  defaults: RawSection | null,
  ctx: ReaderContext,
  processes: ProcessConfig[],
): JobConfig | null {
  const errorsBefore = ctx.sink.errorCount;
  const r = new SectionReader(section, defaults, ctx);
  const where = { line: section.line, section: section.name };
  const timing = readTiming(r, where);
  const withProcess = readWith(r, processes);
  // With `with` and no host of its own, the job runs on that process's hosts, over its transport.
  const ownHosts = section.entries.has('host') || !withProcess;
  const host = ownHosts ? r.parsed('host', parseHost, FORMS.host) : undefined;
  if (!r.entry('host') && !withProcess) {
    ctx.sink.error({ ...where, key: 'host' }, "required key is missing (or say 'with = PROCESS')");
  }
  const user = r.parsed('user', parseUser, FORMS.user);
  const port = r.parsed('port', parsePort, FORMS.port);
  const protocol = r.parsed('protocol', parseProtocol, FORMS.protocol);
  const standBy = readStandByList(r);
  const ssh = ownHosts ? readSsh(r, user) : withProcess.ssh;
  const transport: Transport = ownHosts ? r.choice('transport', TRANSPORTS, 'local') : withProcess.transport;
  const values: TemplateValues = { job: section.name, ssh_port: String(ssh.port) };
  if (user !== undefined) values.user = user;
  if (port !== undefined) values.port = String(port);
  if (protocol !== undefined) values.protocol = protocol;
  if (ssh.user !== undefined && r.entry('ssh_user')) values.ssh_user = ssh.user;
  const runEntry = r.entry('run')!;
  const template = parseOneTemplate(r, runEntry, values, JOB_TEMPLATE_NAMES, ['host', 'rank', 'slot']);
  const timeoutMs = r.duration('timeout', 600_000);
  const overlap = r.choice('overlap', OVERLAP_POLICIES, 'skip');
  const catchUpMs = r.duration('catch_up', 60_000, { minMs: 0 });
  const warnAfter = r.integer('warn_after', 3, 1);
  const sticky = r.bool('sticky', false);

  if (ctx.sink.errorCount > errorsBefore || timing === null || template === null) return null;
  const hosts = host
    ? [host, ...(standBy ?? []).filter((h) => h !== host)]
    : withProcess!.candidates.map((c) => c.host);
  const candidates = [...new Set(hosts)].map((candidateHost, index) =>
    renderCandidate(template, values, candidateHost, index + 1, transport),
  );
  return {
    name: section.name,
    source: { file: ctx.sink.file, line: section.line },
    timing,
    candidates,
    transport,
    ssh,
    timeoutMs,
    withProcess: withProcess?.name ?? null,
    overlap,
    catchUpMs,
    warnAfter,
    sticky,
  };
}

/** Renders `run` for one host, leaving the slot to be filled per run. */
function renderCandidate(
  template: Template,
  values: TemplateValues,
  host: string,
  rank: number,
  transport: Transport,
): JobCandidate {
  const all = { ...values, host, rank: String(rank), slot: SLOT_MARK } as Record<string, string>;
  return { host, rank, transport, command: renderTemplate(template, all) };
}

/** Reads `every` or `schedule` (exactly one of them). */
function readTiming(r: SectionReader, where: { line: number; section: string }): JobTiming | null {
  const every = r.entry('every');
  const schedule = r.entry('schedule');
  if (every && schedule) {
    r.fail(schedule, "a job has either 'every' or 'schedule', not both");
    return null;
  }
  if (every) {
    const everyMs = r.parsed(
      'every',
      (text) => {
        const ms = tryParseDuration(text);
        return ms !== null && ms >= 1000 ? ms : null;
      },
      `${DURATION_FORM} of at least 1s`,
    );
    return everyMs === undefined ? null : { kind: 'every', everyMs };
  }
  if (schedule) {
    const text = r.text('schedule');
    if (text === undefined) return null;
    const cron = parseCron(text);
    if (typeof cron === 'string') {
      r.fail(schedule, `expected ${CRON_FORM}, got '${text}' (${cron})`);
      return null;
    }
    return { kind: 'schedule', cron, text };
  }
  r.ctx.sink.error(
    { ...where, key: 'every' },
    "a job needs 'every = DURATION' (e.g. 30s) or 'schedule = CRON' (e.g. */5 * * * *)",
  );
  return null;
}

/** Reads `with`: the name of a process section of this file, or of a group (a member stands for its group). */
function readWith(r: SectionReader, processes: ProcessConfig[]): ProcessConfig | null {
  const name = r.text('with');
  if (name === undefined) return null;
  const process = unitNamed({ processes }, name);
  if (!process) {
    const known = processes.map((p) => p.name).join(', ') || '(none)';
    r.fail(r.entry('with')!, `expected the name of a process section, got '${name}'; processes: ${known}`);
    return null;
  }
  return process;
}
