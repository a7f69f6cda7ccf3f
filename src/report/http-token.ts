/**
 * The bearer token of the status endpoint (`watch --http-token-file FILE`):
 * read once from a file, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** The token in FILE (surrounding whitespace removed); a missing, unreadable or empty file is a UsageError. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--http-token-file: cannot read ${file}: ${(error as Error).message}`);
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token)) {
    throw new UsageError(
      `--http-token-file: ${file} must hold one token without spaces (e.g. from 'openssl rand -hex 32'), got ${token === '' ? 'an empty file' : 'text with spaces'}`,
    );
  }
  return token;
}

/** True when an Authorization header carries `Bearer TOKEN` (compared in constant time). */
export function hasBearerToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1] ?? ''), digest(token));
}
