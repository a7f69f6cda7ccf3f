/**
 * OpenSSH known_hosts: parsing (plain names, comma lists, `[host]:port`,
 * wildcards and negations, hashed `|1|salt|hash` entries, @revoked and
 * @cert-authority markers) and verification of the key a server offers.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface KnownHostEntry {
  /** 1-based line in the file, for messages. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** Host patterns of a plain entry; null for a hashed one. */
  patterns: string[] | null;
  /** Salt and HMAC-SHA1 of a hashed entry; null for a plain one. */
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  /** The public key blob (base64-decoded). */
  key: Buffer;
}

export type HostKeyStatus = 'ok' | 'unknown' | 'mismatch';

export interface HostKeyVerdict {
  status: HostKeyStatus;
  /** Key types known_hosts lists for this host (to pin `algorithms.serverHostKey`). */
  knownTypes: string[];
  /** A sentence for the log: what was offered and what was expected. */
  detail: string;
}

/** Parses the text of a known_hosts file; malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!.slice(1);
      if (name !== 'revoked' && name !== 'cert-authority') return;
      marker = name;
    }
    const [hosts, keyType, keyText] = fields;
    if (!hosts || !keyType || !keyText) return;
    const key = Buffer.from(keyText, 'base64');
    if (key.length === 0) return;
    const entry: KnownHostEntry = { line: index + 1, marker, patterns: null, hashed: null, keyType, key };
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) return;
      entry.hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      entry.patterns = hosts.split(',').filter((p) => p !== '');
    }
    entries.push(entry);
  });
  return entries;
}

/** Reads and parses a known_hosts file; a missing file is an empty list. */
export async function loadKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Matches NAME against an OpenSSH pattern with `*` and `?` wildcards (case-insensitive). */
function matchWildcard(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name.toLowerCase());
}

/** True when ENTRY names HOST:PORT (negated patterns exclude). */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = hostLookupName(host, port);
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.length === entry.hashed.hash.length && timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns ?? []) {
    const negated = pattern.startsWith('!');
    if (matchWildcard(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key type named inside a public key blob (its first SSH string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH-style fingerprint: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Key types known_hosts lists (unrevoked) for HOST:PORT, in file order without repeats. */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const types = entries
    .filter((e) => e.marker === null && entryMatchesHost(e, host, port))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** Checks the key HOST:PORT offered against the entries: ok, unknown host, or mismatch (incl. revoked). */
export function verifyHostKey(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  offered: Buffer,
): HostKeyVerdict {
  const name = hostLookupName(host, port);
  const offeredText = `${keyTypeOfBlob(offered)} ${fingerprintOf(offered)}`;
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(offered));
  const knownTypes = knownKeyTypes(entries, host, port);
  if (revoked) {
    return {
      status: 'mismatch',
      knownTypes,
      detail: `${name} offered ${offeredText}, revoked at line ${revoked.line}`,
    };
  }
  const candidates = entries.filter((e) => e.marker === null && entryMatchesHost(e, host, port));
  if (candidates.length === 0) {
    return {
      status: 'unknown',
      knownTypes,
      detail: `${name} is not in known_hosts; it offered ${offeredText}`,
    };
  }
  const match = candidates.find((e) => e.key.equals(offered));
  if (match) return { status: 'ok', knownTypes, detail: `${name} matched line ${match.line}` };
  const expected = candidates.map((e) => `${e.keyType} ${fingerprintOf(e.key)} (line ${e.line})`).join(', ');
  return {
    status: 'mismatch',
    knownTypes,
    detail: `${name} offered ${offeredText}, known_hosts has ${expected}`,
  };
}

/** ssh2 host key algorithms for the stored key types, for `algorithms.serverHostKey`. */
export function hostKeyAlgorithmsFor(keyTypes: string[]): string[] {
  const supported = new Set([
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'ssh-dss',
  ]);
  const out: string[] = [];
  for (const type of keyTypes) {
    if (type === 'ssh-rsa') out.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else if (supported.has(type)) out.push(type);
  }
  return [...new Set(out)];
}
