/**
 * parseConfigText: the pure, synchronous heart of the loader. Text in, a typed
 * Config (or null) and every diagnostic out; never throws for bad input.
 */
import path from 'node:path';
import { buildGlobal } from './build-global.js';
import { buildProcess } from './build-process.js';
import { checkQuorumTiming } from './check-quorum-timing.js';
import { DiagnosticSink } from './diagnostics.js';
import { DEFINE_NAME_RE, isGlobalKey, isSectionKey, suggestKey } from './keys.js';
import type { Config, Diagnostic, ProcessConfig } from './model.js';
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
  for (const section of raw.sections) checkSectionKeys(section, sink);
  if (raw.sections.length === 0 && !sink.hasErrors()) {
    sink.error({ line: 1 }, "no process sections: add at least one section such as '[Ostro]' or ':Ostro'");
  }

  const global = buildGlobal(raw.defaults, ctx);
  const processes: ProcessConfig[] = [];
  raw.sections.forEach((section, index) => {
    if (!section.usable) return;
    const built = buildProcess(section, raw.defaults, index + 1, ctx);
    if (built) processes.push(built);
  });

  checkQuorumTiming(global, processes, raw.defaults, sink);
  const diagnostics = sink.sorted();
  if (sink.hasErrors()) return { config: null, diagnostics };
  const fileOrder = new Map(processes.map((p, i) => [p, i]));
  processes.sort((a, b) => a.order - b.order || (fileOrder.get(a) ?? 0) - (fileOrder.get(b) ?? 0));
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const paths = [...(ctx.paths?.values() ?? [])];
  return { config: { file, processes, global, warnings, paths }, diagnostics };
}

/** The UPPERCASE keys of [DEFAULT]: values for @NAME@ placeholders. */
function collectDefines(defaults: RawSection | null): Record<string, string> {
  const defines: Record<string, string> = {};
  for (const entry of defaults?.entries.values() ?? []) {
    if (DEFINE_NAME_RE.test(entry.written)) defines[entry.written] = entry.value;
  }
  return defines;
}

/** [DEFAULT] may hold section keys (as defaults), global keys and UPPERCASE defines. */
function checkDefaultKeys(section: RawSection, sink: DiagnosticSink): void {
  for (const entry of section.entries.values()) {
    if (isSectionKey(entry.key) || isGlobalKey(entry.key) || DEFINE_NAME_RE.test(entry.written)) continue;
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
