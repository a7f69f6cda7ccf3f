/**
 * What of a process's state must reach the disk at once: everything a decision
 * or an action changed. Left out: when the last check ran and how long it took,
 * its reason text, bad-check counts past `check_count` (decide only tells
 * "fewer than check_count" from "at least"), and the time a host was last seen
 * up once it is past `min_uptime` of the start (decide/death.ts only tells an
 * early death from a later one by it). Two states durably equal lead to the
 * same decisions; only the "after running …" words of a death noted after a
 * watcher restart can come from an older last sighting.
 *
 * A field-by-field comparison (it runs every cycle of every process): no string
 * is built, and the first difference ends it. Properties set to `undefined`
 * count as absent, as they do in the stored JSON.
 */
import type { ProcessConfig } from '../config/model.js';
import type { HostRecord, ProcessState } from './model.js';

/** The settings of a process that say which changes are durable. */
export type DurableLimits = Pick<ProcessConfig, 'checkCount' | 'minUptimeMs'>;

/** Whether saving `next` over `stored` would add nothing durable. */
export function durablyEqual(stored: ProcessState, next: ProcessState, limits: DurableLimits): boolean {
  return sameKeys(stored, next, (key, a, b) =>
    key === 'hosts'
      ? sameKeys(a as ProcessState['hosts'], b as ProcessState['hosts'], (_host, x, y) =>
          hostsDurablyEqual(x as HostRecord, y as HostRecord, stored, next, limits),
        )
      : deepEqual(a, b),
  );
}

/** Two records of one host, seen through what is durable of them. */
function hostsDurablyEqual(
  a: HostRecord,
  b: HostRecord,
  stateA: ProcessState,
  stateB: ProcessState,
  limits: DurableLimits,
): boolean {
  return sameKeys(a, b, (key, x, y) => {
    if (key === 'badChecks')
      return Math.min(x as number, limits.checkCount) === Math.min(y as number, limits.checkCount);
    if (key === 'lastObservation') {
      const p = x as HostRecord['lastObservation'];
      const q = y as HostRecord['lastObservation'];
      if (!p || !q) return p === q;
      return p.kind === q.kind && (p.priority ?? null) === (q.priority ?? null);
    }
    if (key === 'lastUpAt')
      return upClass(x as number | null, stateA, limits) === upClass(y as number | null, stateB, limits);
    return deepEqual(x, y);
  });
}

/** A last sighting past min_uptime of the start is all the same to decide. */
function upClass(upAt: number | null, state: ProcessState, limits: DurableLimits): number | string | null {
  const early = upAt !== null && state.startedAt !== null && upAt - state.startedAt < limits.minUptimeMs;
  return upAt === null || early ? upAt : 'past min_uptime';
}

/** Calls `same` for every key either object has (a key whose value is undefined counts as absent). */
function sameKeys<T extends object>(
  a: T,
  b: T,
  same: (key: string, x: unknown, y: unknown) => boolean,
): boolean {
  if (a === b) return true;
  if (a == null || b == null) return false; // a host (or a whole record) only one side has
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    defined++;
    if (!same(key, x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) defined--;
  return defined === 0;
}

/** Structural equality of JSON-like values. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  return sameKeys(a, b, (_key, x, y) => deepEqual(x, y));
}
