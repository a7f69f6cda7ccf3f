/** Option helpers shared by command modules (kept apart from main.ts to avoid an import cycle). */

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
