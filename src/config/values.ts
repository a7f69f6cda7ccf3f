/**
 * Validators for config values. Values substituted into commands (host, user,
 * port, protocol) are held to forms that cannot carry shell syntax.
 * Each returns the parsed value, or null when the text is not of the form.
 */
import { isIPv4, isIPv6 } from 'node:net';

const HOST_LABEL_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
const PROTOCOL_RE = /^[a-z][a-z0-9+.-]{0,15}$/;
const INTEGER_RE = /^[+-]?\d{1,15}$/;
const NUMERIC_RE = /^[\d.]+$/;

/** What each form looks like, for "expected …" messages. */
export const FORMS = {
  host: 'a host name (letters, digits, - and _ in dot-separated labels) or an IPv4/IPv6 address',
  user: 'a POSIX user name (lowercase letter or _, then up to 31 of a-z 0-9 _ -)',
  port: 'a port number 1-65535',
  protocol: 'a short lowercase protocol name such as http (a-z, then a-z 0-9 + . -, at most 16)',
  bool: 'yes/no, true/false, on/off or 1/0',
} as const;

/** A host name (RFC 1123 labels; `_` allowed as the seed's Host_A uses it) or an IP literal. */
export function parseHost(text: string): string | null {
  // Only text with ':' can be IPv6 and only digits and dots IPv4: most host names skip both
  // checks (the first isIPv6 call compiles a large regex, several ms at start-up).
  if (text.includes(':')) return isIPv6(text) ? text : null;
  if (text.length === 0 || text.length > 253) return null;
  if (NUMERIC_RE.test(text)) return isIPv4(text) ? text : null;
  const labels = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  return labels.every((label) => HOST_LABEL_RE.test(label)) ? text : null;
}

/** A POSIX portable user name. */
export function parseUser(text: string): string | null {
  return USER_RE.test(text) ? text : null;
}

/** A TCP port 1-65535. */
export function parsePort(text: string): number | null {
  const n = parseInteger(text);
  return n !== null && n >= 1 && n <= 65535 ? n : null;
}

/** A short lowercase protocol token. */
export function parseProtocol(text: string): string | null {
  return PROTOCOL_RE.test(text) ? text : null;
}

/** A decimal integer. */
export function parseInteger(text: string): number | null {
  return INTEGER_RE.test(text) ? Number(text) : null;
}

/** yes/no, true/false, on/off, 1/0 (any case). */
export function parseBool(text: string): boolean | null {
  const lower = text.toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(lower)) return true;
  if (['no', 'false', 'off', '0'].includes(lower)) return false;
  return null;
}

/** Splits a comma-separated list; null when an item is empty (`a,,b`, trailing comma). */
export function splitList(text: string): string[] | null {
  const items = text.split(',').map((item) => item.trim());
  return items.every((item) => item.length > 0) ? items : null;
}

/** Removes one pair of matching surrounding quotes from a scalar value (`"Host_A"` → `Host_A`). */
export function unquoteScalar(text: string): string {
  const first = text[0];
  if (text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first)) return text.slice(1, -1);
  return text;
}
