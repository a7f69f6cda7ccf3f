/** Collecting and formatting config diagnostics: every problem is reported, not only the first. */
import type { Diagnostic } from './model.js';

/** Where a diagnostic points: the line, and the section and key when known. */
export interface Where {
  line: number;
  section?: string;
  key?: string;
}

/** Accumulates errors and warnings for one file. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  /** Errors recorded so far. */
  errorCount = 0;
  private readonly seen = new Set<string>();

  constructor(readonly file: string) {}

  /** Records an error: the config is invalid. */
  error(where: Where, message: string): void {
    if (this.add({ severity: 'error', file: this.file, ...where, message })) this.errorCount++;
  }

  /** Records a warning: worth fixing, but the config stays valid. */
  warn(where: Where, message: string): void {
    this.add({ severity: 'warning', file: this.file, ...where, message });
  }

  /** True when at least one error was recorded. */
  hasErrors(): boolean {
    return this.errorCount > 0;
  }

  /** Adds a diagnostic once (a bad [DEFAULT] value is reported once, not per section). */
  private add(d: Diagnostic): boolean {
    const id = formatDiagnostic(d);
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    this.items.push(d);
    return true;
  }

  /** All diagnostics, by line (stable for equal lines). */
  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.line - b.line);
  }
}

/** Formats `FILE:LINE: [warning: ]section [S] key 'k': message` (`FILE:` alone for line 0: the whole file). */
export function formatDiagnostic(d: Diagnostic): string {
  const place = [d.section !== undefined ? `section [${d.section}]` : '', d.key ? `key '${d.key}'` : '']
    .filter(Boolean)
    .join(' ');
  const severity = d.severity === 'warning' ? 'warning: ' : '';
  const line = d.line > 0 ? `:${d.line}` : '';
  return `${d.file}${line}: ${severity}${place ? `${place}: ` : ''}${d.message}`;
}

/** Formats a list of diagnostics, errors first, one per line. */
export function formatDiagnostics(list: Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === 'error');
  const warnings = list.filter((d) => d.severity === 'warning');
  return [...errors, ...warnings].map(formatDiagnostic).join('\n');
}
