/**
 * `@NAME@` install-time placeholders (e.g. `@OSTRO_SERVER_DIR@`). A name is
 * resolved from the environment variable NAME, else an UPPERCASE key of
 * [DEFAULT], else `--define NAME=VALUE`.
 */

const INSTALL_VAR_RE = /@([A-Z][A-Z0-9_]*)@/g;

/** Where @NAME@ values come from, in lookup order. */
export interface InstallVarSources {
  env: NodeJS.ProcessEnv;
  defaults: Record<string, string>;
  defines: Record<string, string>;
}

/** Looks one name up: environment, then [DEFAULT], then --define. */
export function lookupInstallVar(name: string, sources: InstallVarSources): string | undefined {
  return sources.env[name] ?? sources.defaults[name] ?? sources.defines[name];
}

/** Replaces every @NAME@ in text; lists the names that could not be resolved. */
export function expandInstallVars(
  text: string,
  sources: InstallVarSources,
): { text: string; unresolved: string[] } {
  if (!text.includes('@')) return { text, unresolved: [] };
  const unresolved: string[] = [];
  const expanded = text.replace(INSTALL_VAR_RE, (whole, name: string) => {
    const value = lookupInstallVar(name, sources);
    if (value === undefined) {
      if (!unresolved.includes(name)) unresolved.push(name);
      return whole;
    }
    return value;
  });
  return { text: expanded, unresolved };
}

/** The message for unresolved names. */
export function describeUnresolved(names: string[]): string {
  const list = names.map((n) => `@${n}@`).join(', ');
  const example = names[0] ?? 'NAME';
  return `unresolved placeholder ${list}: set the environment variable ${example}, add '${example} = …' to [DEFAULT], or pass --define ${example}=VALUE`;
}
