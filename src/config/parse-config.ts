/**
 * parseConfigText: the pure, synchronous heart of the loader. Text in, a typed
 * Config (or null) and every diagnostic out; never throws for bad input.
 */
import path from 'node:path';
import { buildGlobal } from './build-global.js';
import { buildGroups, type GroupSources } from './build-group.js';
import { buildProcess } from './build-process.js';
import { checkQuorumTiming } from './check-quorum-timing.js';
import { DiagnosticSink } from './diagnostics.js';
import { DEFINE_NAME_RE, isGlobalKey, isJobKey, isJobOnlyKey, isSectionKey, suggestKey } from './keys.js';
import type { Config, Diagnostic, ProcessConfig } from './model.js';
import { buildJob } from '../jobs/build-job.js';
import type { JobConfig } from '../jobs/job-config.js';
import { readSections, type RawSection } from './read-sections.js';
import { homeDir, type ReaderContext } from './section-reader.js';

export interface ParseOptions {
  /** `--define NAME=VALUE` values for @NAME@ placeholders. */
  defines?: Record<string, string>;
  /** Environment for @NAME@ lookups and `~`; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ParseResult {
  config: Config | null;
  diagnostics: Diagnostic[];
}

/** Parses and validates config text; `file` is used in messages and to resolve relative paths. */
export function parseConfigText(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const sink = new DiagnosticSink(file);
  const raw = readSections(text, sink);
  const env = options.env ?? process.env;
  const ctx: ReaderContext = {
    sink,
    sources: { env, defaults: collectDefines(raw.defaults), defines: options.defines ?? {} },
    baseDir: path.dirname(path.resolve(file)),
    home: homeDir(env),
    templateCache: new Map(),
    paths: new Map(),
  };
  if (raw.defaults) checkDefaultKeys(raw.defaults, sink);
  for (const section of raw.sections) {
    if (isJobSection(section)) checkJobKeys(section, sink);
    else checkSectionKeys(section, sink);
  }
  if (raw.sections.length === 0 && !sink.hasErrors()) {
    sink.error(
      { line: 1 },
      "no process sections: add at least one section such as '[Ostro]' or ':Ostro' (or a job with 'run')",
    );
  }

  const global = buildGlobal(raw.defaults, ctx);
  const processes: ProcessConfig[] = [];
  raw.sections.forEach((section, index) => {
    if (!section.usable || isJobSection(section)) return;
    const built = buildProcess(section, raw.defaults, index + 1, ctx);
    if (built) processes.push(built);
  });
  const units = buildGroups(processes, groupSources(raw.sections, raw.defaults), sink);
  const jobs: JobConfig[] = [];
  for (const section of raw.sections) {
    if (!section.usable || !isJobSection(section)) continue;
    const built = buildJob(section, raw.defaults, ctx, units);
    if (built) jobs.push(built);
  }

  checkQuorumTiming(global, units, raw.defaults, sink);
  const diagnostics = sink.sorted();
  if (sink.hasErrors()) return { config: null, diagnostics };
  const fileOrder = new Map(units.map((p, i) => [p, i]));
  units.sort((a, b) => a.order - b.order || (fileOrder.get(a) ?? 0) - (fileOrder.get(b) ?? 0));
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const paths = [...(ctx.paths?.values() ?? [])];
  return { config: { file, processes: units, jobs, global, warnings, paths }, diagnostics };
}

/** The usable sections by name, for the group checks' line numbers and name clashes. */
function groupSources(sections: RawSection[], defaults: RawSection | null): GroupSources {
  return { sections: new Map(sections.filter((s) => s.usable).map((s) => [s.name, s])), defaults };
}

/** The UPPERCASE keys of [DEFAULT]: values for @NAME@ placeholders. */
function collectDefines(defaults: RawSection | null): Record<string, string> {
  const defines: Record<string, string> = {};
  for (const entry of defaults?.entries.values() ?? []) {
    if (DEFINE_NAME_RE.test(entry.written)) defines[entry.written] = entry.value;
  }
  return defines;
}

/** A section with `run` is a job (issue 15): no start/stop/test. */
function isJobSection(section: RawSection): boolean {
  return section.entries.has('run');
}

/** A job section may hold job keys; process keys are ignored with a warning, global keys are errors. */
function checkJobKeys(section: RawSection, sink: DiagnosticSink): void {
  for (const entry of section.entries.values()) {
    if (isJobKey(entry.key)) continue;
    const where = { line: entry.line, section: section.name, key: entry.written };
    if (isGlobalKey(entry.key)) sink.error(where, 'is a setting of the whole file: move it to [DEFAULT]');
    else if (isSectionKey(entry.key))
      sink.warn(where, "is a process key, ignored in a job section (it has 'run')");
    else warnUnknown(section, entry.written, entry.line, sink);
  }
}

/** [DEFAULT] may hold section and job keys (as defaults), global keys and UPPERCASE defines. */
function checkDefaultKeys(section: RawSection, sink: DiagnosticSink): void {
  for (const entry of section.entries.values()) {
    const known = isSectionKey(entry.key) || isJobOnlyKey(entry.key) || isGlobalKey(entry.key);
    if (known || DEFINE_NAME_RE.test(entry.written)) continue;
    warnUnknown(section, entry.written, entry.line, sink);
  }
}

/** A process section may hold section keys; global keys belong in [DEFAULT]. */
function checkSectionKeys(section: RawSection, sink: DiagnosticSink): void {
  for (const entry of section.entries.values()) {
    if (isSectionKey(entry.key)) continue;
    if (isGlobalKey(entry.key)) {
      sink.error(
        { line: entry.line, section: section.name, key: entry.written },
        'is a setting of the whole file: move it to [DEFAULT]',
      );
      continue;
    }
    warnUnknown(section, entry.written, entry.line, sink);
  }
}

/** Warns about an unknown key, with the nearest known one as a hint. */
function warnUnknown(section: RawSection, written: string, line: number, sink: DiagnosticSink): void {
  const hint = suggestKey(written);
  sink.warn(
    { line, section: section.name, key: written },
    `unknown key, ignored${hint ? ` (did you mean '${hint}'?)` : ''}`,
  );
}
