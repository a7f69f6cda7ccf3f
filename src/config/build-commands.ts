/**
 * Renders a section's start/stop/test templates for each candidate host.
 * Names resolve to the section's (validated) keys; `host` and `rank` are the
 * candidate's. Unknown names, unset keys and unresolved @NAME@ are errors.
 */
import type { CommandSet } from './model.js';
import { describeUnresolved, expandInstallVars } from './install-vars.js';
import type { RawEntry } from './read-sections.js';
import type { CachedTemplate, SectionReader } from './section-reader.js';
import { parseTemplate, renderTemplate, type Template } from './template.js';

export const COMMAND_KEYS = ['start', 'stop', 'test'] as const;
export type CommandKey = (typeof COMMAND_KEYS)[number];

/** Names a command template may use, and whether each is a number (usable with %d). */
export const TEMPLATE_NAMES: Record<string, 'text' | 'number'> = {
  host: 'text',
  rank: 'number',
  process: 'text',
  user: 'text',
  port: 'number',
  protocol: 'text',
  priority: 'number',
  order: 'number',
  ssh_port: 'number',
  ssh_user: 'text',
};

/** Section values templates can use (all validated); host and rank are filled per candidate. */
export type TemplateValues = Record<string, string | undefined>;

/** Parses and checks the three command templates; null when any is missing or invalid. */
export function parseCommandTemplates(
  reader: SectionReader,
  values: TemplateValues,
): Record<CommandKey, Template> | null {
  const result: Partial<Record<CommandKey, Template>> = {};
  for (const key of COMMAND_KEYS) {
    const entry = reader.entry(key);
    if (!entry) {
      reader.ctx.sink.error(
        { line: reader.section.line, section: reader.section.name, key },
        `required key is missing (also written '${key}_command')`,
      );
      continue;
    }
    const template = parseOneTemplate(reader, entry, values);
    if (template) result[key] = template;
  }
  return result.start && result.stop && result.test ? (result as Record<CommandKey, Template>) : null;
}

/** Parses one template, resolves its @NAME@ placeholders and checks its names. */
export function parseOneTemplate(
  reader: SectionReader,
  entry: RawEntry,
  values: TemplateValues,
): Template | null {
  const { parsed, unresolved } = parseAndExpand(reader, entry.value);
  if (!parsed.ok) {
    reader.fail(entry, parsed.error);
    return null;
  }
  let ok = true;
  if (unresolved.length > 0) {
    reader.fail(entry, describeUnresolved(unresolved));
    ok = false;
  }
  for (const segment of parsed.template.segments) {
    if (segment.kind !== 'name') continue;
    const kind = TEMPLATE_NAMES[segment.name];
    if (!kind) {
      reader.fail(
        entry,
        `unknown name '${segment.name}' in template: expected one of ${Object.keys(TEMPLATE_NAMES).join(', ')}`,
      );
      ok = false;
    } else if (segment.name !== 'host' && segment.name !== 'rank' && !(segment.name in values)) {
      reader.fail(
        entry,
        `template uses '${segment.name}' but section [${reader.section.name}] sets no '${segment.name}'`,
      );
      ok = false;
    } else if (segment.conversion === 'd' && kind !== 'number') {
      reader.fail(entry, `'%d' needs a number but '${segment.name}' is text: use %s`);
      ok = false;
    }
  }
  return ok ? parsed.template : null;
}

/** Parses a template and expands its @NAME@ placeholders, once per distinct value. */
function parseAndExpand(reader: SectionReader, value: string): CachedTemplate {
  const cached = reader.ctx.templateCache.get(value);
  if (cached) return cached;
  const parsed = parseTemplate(value);
  const unresolved: string[] = [];
  if (parsed.ok) {
    for (const segment of parsed.template.segments) {
      if (segment.kind !== 'text') continue;
      const expanded = expandInstallVars(segment.text, reader.ctx.sources);
      segment.text = expanded.text;
      unresolved.push(...expanded.unresolved.filter((n) => !unresolved.includes(n)));
    }
  }
  const result = { parsed, unresolved };
  reader.ctx.templateCache.set(value, result);
  return result;
}

/** Renders the three commands for one candidate. */
export function renderCommands(
  templates: Record<CommandKey, Template>,
  values: TemplateValues,
  host: string,
  rank: number,
): CommandSet {
  const all = { ...values, host, rank: String(rank) } as Record<string, string>;
  return {
    start: renderTemplate(templates.start, all),
    stop: renderTemplate(templates.stop, all),
    test: renderTemplate(templates.test, all),
  };
}
