/** Shell quoting for values substituted into commands at run time. */

/** Quotes a value as one single-quoted shell word: nothing inside is special. */
export function quoteShellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
