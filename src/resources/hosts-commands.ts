/**
 * The shell a client runs to read or rewrite the one hosts-file line of a name.
 * Values were validated at load time (a host name, an IP literal, an absolute
 * path) and are quoted again here; awk compares fields, so '.' is not a pattern.
 */
import type { HostsEntryConfig } from '../config/model.js';
import { quoteShellWord as q } from '../config/shell-quote.js';

/** awk that prints the address of the first non-comment line naming `n`. */
const FIND = `awk -v n="$n" '$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == n) { print $1; exit } }' "$f"`;

/** Prints the address the client's hosts file gives the name (empty when it has no line). */
export function readEntryCommand(entry: HostsEntryConfig): string {
  return `f=${q(entry.file)}; n=${q(entry.name)}; ${FIND}`;
}

/**
 * Makes the name's line read `ADDRESS<TAB>NAME`: prints `unchanged ADDR` when it
 * already does, else writes a copy beside the file and renames it over the file
 * (atomic; a bind-mounted file, as in containers, refuses the rename and is
 * rewritten in place instead) and prints `changed OLD`. Other lines are kept.
 */
export function ensureEntryCommand(entry: HostsEntryConfig, address: string): string {
  const rewrite =
    `awk -v n="$n" -v a="$a" '$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == n) { if (!d) print a "\\t" n; d = 1; next } } ` +
    `{ print } END { if (!d) print a "\\t" n }' "$f" > "$t"`;
  return [
    `f=${q(entry.file)}; n=${q(entry.name)}; a=${q(address)}`,
    `cur=$(${FIND}) || exit 3`,
    'if [ "$cur" = "$a" ]; then echo "unchanged $cur"; exit 0; fi',
    't=$(mktemp "$f.ha-valet.XXXXXX") || exit 3',
    `${rewrite} || { rm -f "$t"; exit 3; }`,
    'chmod --reference="$f" "$t" 2>/dev/null || chmod 644 "$t"',
    'mv -f "$t" "$f" 2>/dev/null || { cat "$t" > "$f" && rm -f "$t"; } || { rm -f "$t"; exit 3; }',
    'echo "changed ${cur:-none}"',
  ].join('\n');
}
