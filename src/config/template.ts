/**
 * The command-template parser. Reads every form the seeds use, without eval:
 *   "ssh %s@%s 'cd /x ; ./d.py start'" % (user, host)   Python %-expression
 *   '… %s' % port   "… %s" % (port)   "… %s" % (host,)
 *   "… %(host)s …"  or  … {host} …                       named placeholders
 *   "sudo systemctl stop wsgi"  or  sudo systemctl stop wsgi   literal command
 * A template becomes a list of text and name segments; rendering only joins them.
 */

export type Segment = { kind: 'text'; text: string } | { kind: 'name'; name: string; conversion: 's' | 'd' };

export interface Template {
  segments: Segment[];
}

export type ParseResult = { ok: true; template: Template } | { ok: false; error: string };

const ARGS_RE =
  /^(?:([A-Za-z_][A-Za-z0-9_]*)|\(\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*(,?)\s*\))$/;

/** Parses a command value into a template, or explains why it is not one. */
export function parseTemplate(value: string): ParseResult {
  const text = value.trim();
  if (text === '') return { ok: false, error: 'expected a command, got an empty value' };
  const quote = text[0];
  if (quote !== '"' && quote !== "'") return scanNamed(text);

  const literal = readStringLiteral(text, quote);
  if (!literal) return { ok: false, error: `unterminated ${quote} string: add the closing ${quote}` };
  const rest = text.slice(literal.end).trim();
  if (rest === '') return scanNamed(literal.body);
  if (!rest.startsWith('%')) return scanNamed(text); // e.g. '/opt/my dir/start.sh' --now: plain shell text
  return parsePercentExpression(literal.body, rest.slice(1).trim());
}

/** Reads a Python string literal starting at 0; returns its decoded body and end index. */
function readStringLiteral(text: string, quote: string): { body: string; end: number } | null {
  let body = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === quote) return { body, end: i + 1 };
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i] ?? '';
      body += decodeEscape(next);
    } else {
      body += ch;
    }
  }
  return null;
}

/** Decodes one Python escape; unknown escapes keep their backslash, as Python does. */
function decodeEscape(ch: string): string {
  switch (ch) {
    case '\\':
    case "'":
    case '"':
      return ch;
    case 'n':
      return '\n';
    case 't':
      return '\t';
    default:
      return `\\${ch}`;
  }
}

/** Parses `FORMAT % ARGS` where ARGS is a name, `(name)`, `(name,)` or `(a, b, …)`. */
function parsePercentExpression(format: string, argsText: string): ParseResult {
  const args = ARGS_RE.exec(argsText);
  if (!args) {
    return {
      ok: false,
      error: `expected a name or a tuple of names after '%', such as (user, host), got '${argsText}'`,
    };
  }
  const names = args[1] !== undefined ? [args[1]] : (args[2] ?? '').split(',').map((n) => n.trim());
  const segments: Segment[] = [];
  let positional = 0;
  let named = 0;
  let from = 0;
  for (let i = format.indexOf('%'); i !== -1; i = format.indexOf('%', from)) {
    pushText(segments, format.slice(from, i));
    const spec = readPercentSpec(format, i);
    if (!spec) {
      return {
        ok: false,
        error: `unsupported format '${format.slice(i, i + 2)}': use %s, %d, %(name)s or %%`,
      };
    }
    from = spec.end;
    if (spec.literal) pushText(segments, '%');
    else if (spec.name !== undefined) {
      named++;
      segments.push({ kind: 'name', name: spec.name, conversion: spec.conversion });
    } else {
      const name = names[positional++];
      if (name !== undefined) segments.push({ kind: 'name', name, conversion: spec.conversion });
    }
  }
  pushText(segments, format.slice(from));
  if (named > 0 && positional > 0) {
    return { ok: false, error: 'mixes %s and %(name)s placeholders: use one kind' };
  }
  if (positional !== names.length) {
    return {
      ok: false,
      error: `the format has ${positional} %s placeholder(s) but ${names.length} value(s) after '%': (${names.join(', ')})`,
    };
  }
  return { ok: true, template: { segments } };
}

/** Reads `%%`, `%s`, `%d`, `%i` or `%(name)s` at position i. */
function readPercentSpec(
  text: string,
  i: number,
): { end: number; literal?: true; name?: string; conversion: 's' | 'd' } | null {
  const next = text[i + 1];
  if (next === '%') return { end: i + 2, literal: true, conversion: 's' };
  if (next === 's') return { end: i + 2, conversion: 's' };
  if (next === 'd' || next === 'i') return { end: i + 2, conversion: 'd' };
  if (next === '(') {
    const named = /^%\(([A-Za-z_][A-Za-z0-9_]*)\)([sdi])/.exec(text.slice(i));
    if (!named) return null;
    return { end: i + named[0].length, name: named[1], conversion: named[2] === 's' ? 's' : 'd' };
  }
  return null;
}

/**
 * Scans plain text for named placeholders: `%(name)s` and `{name}`. Everything
 * else is literal, including `%s`, `${VAR}` and `{print $1}`; write `%%(` for a
 * literal `%(` and `{{name}}` for a literal `{name}`.
 */
function scanNamed(text: string): ParseResult {
  const segments: Segment[] = [];
  let from = 0;
  const special = /[%{]/g;
  for (let match = special.exec(text); match; match = special.exec(text)) {
    const i = match.index;
    pushText(segments, text.slice(from, i));
    from = i + 1;
    const rest = text.slice(i, i + 70);
    if (rest.startsWith('%%(')) {
      pushText(segments, '%(');
      from = i + 3;
    } else if (rest.startsWith('%(')) {
      const named = /^%\(([A-Za-z_][A-Za-z0-9_]*)\)([sdi])/.exec(rest);
      if (!named)
        return { ok: false, error: `malformed placeholder at '${text.slice(i, i + 12)}': use %(name)s` };
      segments.push({ kind: 'name', name: named[1] ?? '', conversion: named[2] === 's' ? 's' : 'd' });
      from = i + named[0].length;
    } else if (rest.startsWith('{{')) {
      const escaped = /^\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/.exec(rest);
      pushText(segments, escaped ? `{${escaped[1]}}` : '{{');
      from = i + (escaped ? escaped[0].length : 2);
    } else if (rest[0] === '{' && text[i - 1] !== '$') {
      const named = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
      if (named) {
        segments.push({ kind: 'name', name: named[1] ?? '', conversion: 's' });
        from = i + named[0].length;
      } else pushText(segments, '{');
    } else pushText(segments, rest[0] ?? '');
    special.lastIndex = from;
  }
  pushText(segments, text.slice(from));
  return { ok: true, template: { segments } };
}

/** Appends text, merging with a preceding text segment. */
function pushText(segments: Segment[], text: string): void {
  if (text === '') return;
  const last = segments[segments.length - 1];
  if (last?.kind === 'text') last.text += text;
  else segments.push({ kind: 'text', text });
}

/** The names a template refers to, once each. */
export function templateNames(template: Template): string[] {
  const names = template.segments.flatMap((s) => (s.kind === 'name' ? [s.name] : []));
  return [...new Set(names)];
}

/** Joins a template with its values; every name must be in `values` (checked at load). */
export function renderTemplate(template: Template, values: Record<string, string>): string {
  let text = '';
  for (const s of template.segments) text += s.kind === 'text' ? s.text : (values[s.name] ?? '');
  return text;
}
