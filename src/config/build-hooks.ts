/**
 * Hook lists: `before_failover = cmd` (one step) or `before_failover.1 = …`,
 * `before_failover.2 = …` (ordered by index). `optional:` marks a step whose
 * failure never aborts the failover. A section that sets any step of a hook
 * replaces [DEFAULT]'s list for that hook. Templates stay raw (rendered at run
 * time by renderHookCommand) but unknown placeholders are errors now.
 */
import type { HookStep, Hooks } from './model.js';
import { HOOK_KEYS, splitHookKey, type HookKey } from './keys.js';
import { describeUnresolved, expandInstallVars } from './install-vars.js';
import type { RawEntry, RawSection } from './read-sections.js';
import type { SectionReader } from './section-reader.js';
import { HOOK_PLACEHOLDERS, unknownHookPlaceholders } from './render-hook.js';

/** The config key of each hook list and its field in `Hooks` (and HookName). */
export const HOOK_FIELDS: Record<HookKey, keyof Hooks> = {
  before_failover: 'beforeFailover',
  after_failover: 'afterFailover',
  on_failed: 'onFailed',
  on_given_up: 'onGivenUp',
  on_split_brain: 'onSplitBrain',
};
const OPTIONAL_PREFIX = 'optional:';

/** Builds the five hook lists of a section. */
export function buildHooks(reader: SectionReader, timeoutMs: number): Hooks {
  const hooks: Hooks = {
    beforeFailover: [],
    afterFailover: [],
    onFailed: [],
    onGivenUp: [],
    onSplitBrain: [],
  };
  const own = hookEntries(reader.section);
  const inherited = reader.defaults ? defaultHookEntries(reader.defaults) : NO_HOOK_ENTRIES;
  for (const hook of HOOK_KEYS) {
    const entries = own.get(hook) ?? inherited.get(hook) ?? [];
    if (entries.some((e) => e.index === 0) && entries.length > 1) {
      const first = entries[0]?.entry as RawEntry;
      reader.fail(first, `set either '${hook} = …' (one step) or '${hook}.1 = …', '${hook}.2 = …', not both`);
      continue;
    }
    hooks[HOOK_FIELDS[hook]] = entries.flatMap(({ entry }) => buildStep(reader, entry, timeoutMs) ?? []);
  }
  return hooks;
}

type HookEntry = { index: number; entry: RawEntry };

const NO_HOOK_ENTRIES: ReadonlyMap<HookKey, HookEntry[]> = new Map();
/** [DEFAULT]'s hook entries, found once per file rather than once per section. */
const defaultsCache = new WeakMap<RawSection, Map<HookKey, HookEntry[]>>();

/** The hook entries of [DEFAULT] (cached: it is shared by every section). */
function defaultHookEntries(defaults: RawSection): ReadonlyMap<HookKey, HookEntry[]> {
  let found = defaultsCache.get(defaults);
  if (!found) {
    found = hookEntries(defaults);
    defaultsCache.set(defaults, found);
  }
  return found;
}

/** The hook entries of a section by hook, each list ordered by step index. */
function hookEntries(section: RawSection): Map<HookKey, HookEntry[]> {
  const found = new Map<HookKey, HookEntry[]>();
  for (const entry of section.entries.values()) {
    const split = splitHookKey(entry.key);
    if (!split) continue;
    const list = found.get(split.hook) ?? [];
    list.push({ index: split.index, entry });
    found.set(split.hook, list);
  }
  for (const list of found.values()) list.sort((a, b) => a.index - b.index);
  return found;
}

/** Builds one step: resolves @NAME@, strips `optional:`, checks placeholders. */
function buildStep(reader: SectionReader, entry: RawEntry, timeoutMs: number): HookStep | null {
  const expanded = expandInstallVars(entry.value, reader.ctx.sources);
  if (expanded.unresolved.length > 0) {
    reader.fail(entry, describeUnresolved(expanded.unresolved));
    return null;
  }
  let command = expanded.text.trim();
  const optional = command.startsWith(OPTIONAL_PREFIX);
  if (optional) command = command.slice(OPTIONAL_PREFIX.length).trim();
  if (command === '') {
    reader.fail(entry, 'expected a hook command, got an empty value');
    return null;
  }
  const unknown = unknownHookPlaceholders(command);
  if (unknown.length > 0) {
    const known = [...HOOK_PLACEHOLDERS.map((n) => `{${n}}`), '%MASTER%', '%SLAVE%'].join(' ');
    reader.fail(entry, `unknown placeholder ${unknown.join(', ')} in hook: expected ${known}`);
    return null;
  }
  return { command, optional, timeoutMs };
}
