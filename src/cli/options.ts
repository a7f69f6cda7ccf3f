/** Option types and helpers shared by command modules (kept apart from main.ts to avoid an import cycle). */

/** Options every command shares. */
export interface GlobalOptions {
  config?: string;
  define?: string[];
  logLevel?: string;
  logFormat?: string;
  logFile?: string;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
