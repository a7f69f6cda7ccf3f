/** Option types and helpers shared by command modules (kept apart from main.ts to avoid an import cycle). */

export type { GlobalOptions } from '../runtime/global-options.js';

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
