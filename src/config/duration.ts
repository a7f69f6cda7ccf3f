/** Durations in config values: `500ms`, `10` (seconds), `10s`, `2m`, `1h`; decimals allowed. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/;

/** What a valid duration looks like, for messages. */
export const DURATION_FORM = "a duration like '500ms', '10' (seconds), '10s', '2m' or '1h'";

/** Parses a duration to whole milliseconds, or returns null when the text is not one. */
export function tryParseDuration(text: string): number | null {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = UNIT_MS[match[2] ?? 's'] ?? 1000;
  const ms = Math.round(amount * unit);
  return Number.isFinite(ms) ? ms : null;
}

/** Parses a duration to whole milliseconds; a bare number is seconds. Throws RangeError when invalid. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === null) throw new RangeError(`expected ${DURATION_FORM}, got '${text}'`);
  return ms;
}
