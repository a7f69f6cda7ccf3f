/**
 * The line reader of ha_valet.cfg: splits the text into sections of keys, each
 * with its line number. Reads both dialects — INI `[Ostro]` headers and the
 * README's `:Ostro` headers with indented or flush keys — in one pass.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { MISSPELLED_KEYS, canonicalKey } from './keys.js';

export type Dialect = 'ini' | 'readme';

/** One `key = value` line. */
export interface RawEntry {
  /** Canonical key (aliases resolved). */
  key: string;
  /** The key as written, for messages. */
  written: string;
  value: string;
  line: number;
}

/** One section and its keys by canonical name. */
export interface RawSection {
  name: string;
  line: number;
  dialect: Dialect;
  entries: Map<string, RawEntry>;
  /** False when the header itself was invalid (bad name, duplicate): its keys are read but neither checked nor used. */
  usable: boolean;
}

export interface RawFile {
  defaults: RawSection | null;
  sections: RawSection[];
}

export const DEFAULT_SECTION = 'DEFAULT';
export const SECTION_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const INI_HEADER_RE = /^\[(.*)\]$/;
const ENTRY_RE = /^([A-Za-z_][A-Za-z0-9_.]*)\s*[=:]\s*(.*)$/;

/** Reads the sections of a config text, reporting malformed lines and duplicates to the sink. */
export function readSections(text: string, sink: DiagnosticSink): RawFile {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  const result: RawFile = { defaults: null, sections: [] };
  const seen = new Map<string, RawSection>();
  let current: RawSection | null = null;

  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;

    const header = parseHeader(trimmed);
    if (header) {
      current = openSection(header.name, header.dialect, line, seen, result, sink);
      return;
    }

    const entry = ENTRY_RE.exec(trimmed);
    if (!entry) {
      sink.error(
        { line },
        `expected 'key = value', a '[section]' or ':section' header, or a '#' comment, got '${clip(trimmed)}'`,
      );
      return;
    }
    const written = entry[1] ?? '';
    const value = entry[2] ?? '';
    if (!current) {
      sink.error(
        { line, key: written },
        "key outside any section: start a section with '[Name]' or ':Name' first",
      );
      return;
    }
    addEntry(current, written, value.trim(), line, sink);
  });
  return result;
}

/** Recognises `[Name]` and `:Name` headers. */
function parseHeader(trimmed: string): { name: string; dialect: Dialect } | null {
  const first = trimmed.charCodeAt(0);
  if (first === 0x5b /* [ */) {
    const ini = INI_HEADER_RE.exec(trimmed);
    return ini ? { name: (ini[1] ?? '').trim(), dialect: 'ini' } : null;
  }
  if (first === 0x3a /* : */) return { name: trimmed.slice(1).trim(), dialect: 'readme' };
  return null;
}

/** Opens a section, or a throwaway one when its name is invalid or taken. */
function openSection(
  name: string,
  dialect: Dialect,
  line: number,
  seen: Map<string, RawSection>,
  result: RawFile,
  sink: DiagnosticSink,
): RawSection {
  const section: RawSection = { name, line, dialect, entries: new Map(), usable: true };
  const previous = seen.get(name);
  if (previous) {
    sink.error({ line, section: name }, `duplicate section (first defined at line ${previous.line})`);
    section.usable = false;
    return section;
  }
  if (name !== DEFAULT_SECTION && !SECTION_NAME_RE.test(name)) {
    sink.error(
      { line, section: name },
      'invalid section name: expected 1-64 letters, digits, _ . or - (not starting with . or -)',
    );
    section.usable = false;
    return section;
  }
  seen.set(name, section);
  if (name === DEFAULT_SECTION) result.defaults = section;
  else result.sections.push(section);
  return section;
}

/** Adds one key to a section; a second value for the same key is an error. */
function addEntry(
  section: RawSection,
  written: string,
  value: string,
  line: number,
  sink: DiagnosticSink,
): void {
  const key = canonicalKey(written);
  const previous = section.entries.get(key);
  if (previous) {
    const same = previous.written === written ? '' : ` as '${previous.written}'`;
    sink.error(
      { line, section: section.name, key: written },
      `duplicate key (already set${same} at line ${previous.line})`,
    );
    return;
  }
  if (MISSPELLED_KEYS.has(written)) {
    sink.warn(
      { line, section: section.name, key: written },
      `misspelled key, read as '${key}'; write '${key}'`,
    );
  }
  section.entries.set(key, { key, written, value, line });
}

/** Shortens a line for a message. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
