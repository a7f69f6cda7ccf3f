/**
 * The fence settings of a section (issue 12): `fence` is a command template like
 * start/stop/test (same syntax, same validation; `{host}` is the host being
 * fenced), `fence_timeout` (30 s), `fence_required` (yes when `fence` is set).
 */
import { parseOneTemplate, type TemplateValues } from './build-commands.js';
import type { FenceSettings } from './model.js';
import type { SectionReader } from './section-reader.js';
import { renderTemplate, type Template } from './template.js';

/** `fence_timeout` when not set. */
export const DEFAULT_FENCE_TIMEOUT_MS = 30_000;

export interface FenceConfig {
  /** The parsed `fence` template, or null when the section has none (or it is invalid). */
  template: Template | null;
  settings: FenceSettings;
}

/** Reads `fence`, `fence_timeout` and `fence_required` (each may come from [DEFAULT]). */
export function readFence(reader: SectionReader, values: TemplateValues): FenceConfig {
  const entry = reader.entry('fence');
  const template = entry ? parseOneTemplate(reader, entry, values) : null;
  return {
    template,
    settings: {
      timeoutMs: reader.duration('fence_timeout', DEFAULT_FENCE_TIMEOUT_MS),
      // Fencing is demanded by default only from configs that can fence: a config without
      // `fence` keeps failing over from unreachable hosts as before (see README, Fencing).
      required: reader.bool('fence_required', entry !== undefined),
    },
  };
}

/** The fence command for one candidate host, or undefined without a template. */
export function renderFence(
  template: Template | null,
  values: TemplateValues,
  host: string,
  rank: number,
): string | undefined {
  if (!template) return undefined;
  return renderTemplate(template, { ...values, host, rank: String(rank) } as Record<string, string>);
}
