/**
 * The file-system side of the trust check: lstat(2), realpath(3) and the
 * names of user and group ids. Synchronous on purpose: a handful of lstat
 * calls on every start, and a cron pass then needs no thread pool.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import type { IdNames, PathFacts } from './rules.js';

/** What the check reads from the file system (tests can hand in their own). */
export interface FactReader {
  /** lstat of `path`; null when it does not exist or cannot be looked at. */
  facts(path: string): PathFacts | null;
  /** The resolved path (symlinks followed); null when it cannot be resolved. */
  realpath(path: string): string | null;
  names: IdNames;
}

/** A reader of the real file system; lstat results are cached for the reader's life. */
export function createFactReader(): FactReader {
  const cache = new Map<string, PathFacts | null>();
  return {
    facts(path) {
      if (!cache.has(path)) cache.set(path, lstatFacts(path));
      return cache.get(path) ?? null;
    },
    realpath(path) {
      try {
        return realpathSync.native(path);
      } catch {
        return null;
      }
    },
    names: idNames(),
  };
}

/** lstat(2) of one path as PathFacts, or null. */
function lstatFacts(path: string): PathFacts | null {
  try {
    const st = lstatSync(path);
    const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    return { path, kind, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return null;
  }
}

/** Names from /etc/passwd and /etc/group, read only when a message needs one. */
export function idNames(): IdNames {
  let users: Map<number, string> | null = null;
  let groups: Map<number, string> | null = null;
  return {
    user(uid) {
      users ??= readIdFile('/etc/passwd');
      return users.get(uid) ?? null;
    },
    group(gid) {
      groups ??= readIdFile('/etc/group');
      return groups.get(gid) ?? null;
    },
  };
}

/** `name:x:id:…` lines as id → name; empty when the file cannot be read. */
function readIdFile(file: string): Map<number, string> {
  const map = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return map;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    const n = Number(id);
    if (name && id && Number.isInteger(n) && !map.has(n)) map.set(n, name);
  }
  return map;
}
