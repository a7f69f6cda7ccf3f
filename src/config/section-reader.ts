/**
 * Typed getters over one section with [DEFAULT] as fallback. Each getter
 * validates, reports `expected …, got '…'` with the value's own line, and
 * returns a usable default so that every other problem is still found.
 */
import os from 'node:os';
import path from 'node:path';
import type { DiagnosticSink, Where } from './diagnostics.js';
import { DURATION_FORM, tryParseDuration } from './duration.js';
import { describeUnresolved, expandInstallVars, type InstallVarSources } from './install-vars.js';
import { DEFAULT_SECTION, type RawEntry, type RawSection } from './read-sections.js';
import type { ConfiguredPath } from './model.js';
import type { Template } from './template.js';
import { FORMS, parseBool, parseInteger, unquoteScalar } from './values.js';

/** What the getters need besides the section itself. */
export interface ReaderContext {
  sink: DiagnosticSink;
  sources: InstallVarSources;
  /** Directory of the config file: relative paths are resolved against it. */
  baseDir: string;
  home: string | undefined;
  /** Parsed command templates by raw value: identical values (often from [DEFAULT]) are parsed once. */
  templateCache: Map<string, CachedTemplate>;
  /** Path-valued keys read so far, by `key path line` (a [DEFAULT] value read per section counts once). */
  paths?: Map<string, ConfiguredPath>;
}

/** A parsed template with its @NAME@ placeholders expanded, or why it failed. */
export interface CachedTemplate {
  parsed: { ok: true; template: Template } | { ok: false; error: string };
  unresolved: string[];
}

export class SectionReader {
  constructor(
    readonly section: RawSection,
    readonly defaults: RawSection | null,
    readonly ctx: ReaderContext,
  ) {}

  /** The section's entry for a key, else [DEFAULT]'s. */
  entry(key: string): RawEntry | undefined {
    return this.section.entries.get(key) ?? this.defaults?.entries.get(key);
  }

  /** Where an entry is, naming [DEFAULT] when the value was inherited from it. */
  where(entry: RawEntry): Where {
    const fromDefaults = this.section.entries.get(entry.key) !== entry;
    return {
      line: entry.line,
      section: fromDefaults ? DEFAULT_SECTION : this.section.name,
      key: entry.written,
    };
  }

  /** Reports an error about an entry. */
  fail(entry: RawEntry, message: string): void {
    this.ctx.sink.error(this.where(entry), message);
  }

  /** The value with @NAME@ resolved and one pair of outer quotes removed; undefined when unset or unresolved. */
  text(key: string): string | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    const expanded = expandInstallVars(entry.value, this.ctx.sources);
    if (expanded.unresolved.length > 0) {
      this.fail(entry, describeUnresolved(expanded.unresolved));
      return undefined;
    }
    const value = unquoteScalar(expanded.text.trim());
    if (value === '') {
      this.fail(entry, 'expected a value, got an empty one');
      return undefined;
    }
    return value;
  }

  /** A value checked by a parser; reports `expected FORM, got 'v'` when it does not parse. */
  parsed<T>(key: string, parse: (text: string) => T | null, form: string): T | undefined {
    const value = this.text(key);
    if (value === undefined) return undefined;
    const result = parse(value);
    if (result === null) {
      // As in HA Valet (Python's ConfigParser), `;` and `#` start a comment only at the start of a line.
      const hint = /\s[;#]/.test(value) ? ' (a comment goes on a line of its own)' : '';
      this.fail(this.entry(key) as RawEntry, `expected ${form}, got '${value}'${hint}`);
      return undefined;
    }
    return result;
  }

  /** An integer >= min, or the default. */
  integer(key: string, fallback: number, min = Number.MIN_SAFE_INTEGER): number {
    if (!this.entry(key)) return fallback; // most keys are unset: skip building the message
    const form = min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer >= ${min}`;
    const n = this.parsed(
      key,
      (t) => {
        const v = parseInteger(t);
        return v !== null && v >= min ? v : null;
      },
      form,
    );
    return n ?? fallback;
  }

  /** A boolean, or the default. */
  bool(key: string, fallback: boolean): boolean {
    if (!this.entry(key)) return fallback;
    return this.parsed(key, parseBool, FORMS.bool) ?? fallback;
  }

  /** A duration in ms (>= minMs), or the default; `never` gives null when allowed. */
  duration(key: string, fallbackMs: number, options?: { minMs?: number }): number;
  duration(
    key: string,
    fallbackMs: number | null,
    options: { minMs?: number; allowNever: true },
  ): number | null;
  duration(
    key: string,
    fallbackMs: number | null,
    options: { minMs?: number; allowNever?: boolean } = {},
  ): number | null {
    if (!this.entry(key)) return fallbackMs;
    const minMs = options.minMs ?? 1;
    const never = options.allowNever ? " or 'never'" : '';
    const floor = minMs > 0 ? ' greater than 0' : '';
    const result = this.parsed<number | 'never'>(
      key,
      (t) => {
        if (options.allowNever && t.toLowerCase() === 'never') return 'never';
        const ms = tryParseDuration(t);
        return ms !== null && ms >= minMs ? ms : null;
      },
      `${DURATION_FORM}${floor}${never}`,
    );
    if (result === undefined) return fallbackMs;
    return result === 'never' ? null : result;
  }

  /** A path: `~/` expanded, relative paths resolved against the config file's directory. */
  filePath(key: string): string | undefined {
    const value = this.text(key);
    if (value === undefined) return undefined;
    const resolved =
      value.startsWith('~/') && this.ctx.home
        ? path.join(this.ctx.home, value.slice(2))
        : path.resolve(this.ctx.baseDir, value);
    const { line, section = '' } = this.where(this.entry(key)!);
    this.ctx.paths?.set(`${key} ${resolved} ${line}`, { key, path: resolved, line, section });
    return resolved;
  }

  /** One of a fixed set of words, or the default. */
  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    if (!this.entry(key)) return fallback;
    const form = choices.map((c) => `'${c}'`).join(' or ');
    return this.parsed(key, (t) => (choices.includes(t as T) ? (t as T) : null), form) ?? fallback;
  }
}

/** The home directory from the given environment, else the OS. */
export function homeDir(env: NodeJS.ProcessEnv): string | undefined {
  return env.HOME ?? os.homedir();
}
