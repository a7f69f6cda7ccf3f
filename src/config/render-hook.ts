/**
 * Hook command templates, rendered at run time: `{process}`, `{from_host}`,
 * `{to_host}`, `{reason}`, and the Perl HA daemon's `%MASTER%` (= to_host) and
 * `%SLAVE%` (= from_host). Every value is inserted as a single-quoted shell
 * word — closing and reopening any quotes the template put around it — so a
 * free-text reason can never inject. `${VAR}` and `{{name}}` stay literal.
 */
import { quoteShellWord } from './shell-quote.js';

export interface HookVars {
  process: string;
  from_host: string | null;
  to_host: string | null;
  reason: string;
}

export const HOOK_PLACEHOLDERS = ['process', 'from_host', 'to_host', 'reason'] as const;
const PERCENT_NAMES: Record<string, keyof HookVars> = { '%MASTER%': 'to_host', '%SLAVE%': 'from_host' };

type QuoteState = 'none' | 'single' | 'double';
type HookPart =
  { kind: 'text'; text: string } | { kind: 'var'; name: string; quote: QuoteState; known: boolean };

/** Splits a hook template into text and placeholders, tracking the shell quote state at each. */
export function scanHookTemplate(template: string): HookPart[] {
  const parts: HookPart[] = [];
  let text = '';
  let quote: QuoteState = 'none';
  const flush = (): void => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] ?? '';
    const percent =
      ch === '%' ? Object.keys(PERCENT_NAMES).find((p) => template.startsWith(p, i)) : undefined;
    if (percent) {
      flush();
      parts.push({ kind: 'var', name: PERCENT_NAMES[percent] ?? 'to_host', quote, known: true });
      i += percent.length - 1;
      continue;
    }
    if (ch === '{') {
      const escaped = /^\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/.exec(template.slice(i));
      const named = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(template.slice(i));
      if (escaped) {
        text += `{${escaped[1]}}`;
        i += escaped[0].length - 1;
        continue;
      }
      if (named && template[i - 1] !== '$') {
        flush();
        const name = named[1] ?? '';
        parts.push({
          kind: 'var',
          name,
          quote,
          known: (HOOK_PLACEHOLDERS as readonly string[]).includes(name),
        });
        i += named[0].length - 1;
        continue;
      }
    }
    text += ch;
    if (ch === '\\' && quote !== 'single' && i + 1 < template.length) text += template[++i];
    else if (ch === "'" && quote !== 'double') quote = quote === 'single' ? 'none' : 'single';
    else if (ch === '"' && quote !== 'single') quote = quote === 'double' ? 'none' : 'double';
  }
  flush();
  return parts;
}

/** Names of placeholders in a hook template that are not known (a config error at load). */
export function unknownHookPlaceholders(template: string): string[] {
  return scanHookTemplate(template).flatMap((p) => (p.kind === 'var' && !p.known ? [`{${p.name}}`] : []));
}

/** Renders a hook command; every substituted value is one shell-quoted word. */
export function renderHookCommand(template: string, vars: HookVars): string {
  return scanHookTemplate(template)
    .map((part) => {
      if (part.kind === 'text') return part.text;
      if (!part.known) return `{${part.name}}`;
      const word = quoteShellWord(vars[part.name as keyof HookVars] ?? '');
      if (part.quote === 'single') return `'${word}'`;
      if (part.quote === 'double') return `"${word}"`;
      return word;
    })
    .join('');
}
