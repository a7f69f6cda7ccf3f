/**
 * Which command an argv invokes, found before commander parses it, so that
 * main.ts registers only that command's module (each module costs its import).
 * Mirrors commander's own dispatch for the root program: root options (with
 * their values) are skipped; the first operand names the command; an unknown
 * option before any operand sends everything to the default command. Anything
 * unclear (help, `--`, an operand that is not a command) returns null: the
 * caller registers every command, exactly as before.
 */

/** Root options that take a value as the next argument (src/cli/main.ts). */
const ROOT_VALUE_OPTIONS = new Set([
  '-c',
  '--config',
  '-D',
  '--define',
  '--log-level',
  '--log-format',
  '--log-file',
  '--trust-check',
]);
/** Short root options whose value may be attached (`-cFILE`, `-DNAME=VALUE`). */
const ROOT_SHORT_VALUE_PREFIXES = ['-c', '-D'];

/**
 * The name of the command `argv` (process.argv: node, script, args...) invokes,
 * or null when every command must be registered to parse it identically.
 */
export function findInvokedCommand(
  argv: readonly string[],
  commands: ReadonlySet<string>,
  defaultCommand: string,
): string | null {
  const args = argv.slice(2);
  if (args.some(isHelpFlag)) return null; // root help lists every command
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return null;
    if (ROOT_VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('--') && arg.includes('=')) {
      if (ROOT_VALUE_OPTIONS.has(arg.slice(0, arg.indexOf('=')))) continue;
      return defaultCommand; // an unknown option: commander hands the rest to the default command
    }
    if (ROOT_SHORT_VALUE_PREFIXES.some((prefix) => arg.length > 2 && arg.startsWith(prefix))) continue;
    if (arg.length > 1 && arg.startsWith('-')) return defaultCommand;
    return commands.has(arg) ? arg : null;
  }
  return defaultCommand;
}

/** `--help`, or a short flag cluster that may hold `-h` (over-matching only costs the fast path). */
function isHelpFlag(arg: string): boolean {
  return arg === '--help' || (arg.startsWith('-') && !arg.startsWith('--') && arg.includes('h'));
}
