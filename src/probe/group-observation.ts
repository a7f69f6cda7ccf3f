/**
 * A group's observation of one host, from its members' (pure): every member up → up, with the
 * worst (largest) member priority; every member down → down; any member unreachable or in error
 * → that (nothing reliable is known); some up and some down → partial (kind 'down', `partial`).
 */
import { isUnknown, type Observation } from './observation.js';

/** Combines the observations of `names` (the members, in start order) on `host`. */
export function combineMemberObservations(
  host: string,
  names: string[],
  observations: Observation[],
  now: number,
): Observation {
  const members = observations.map((o, i) => ({
    name: names[i]!,
    kind: o.kind,
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
  }));
  const durationMs = Math.max(0, ...observations.map((o) => o.durationMs));
  const base = { host, at: now, durationMs, members };
  const unknown = observations.findIndex(
    (o) => o.kind === 'unreachable' || (isUnknown(o) && !observations.some((x) => x.kind === 'unreachable')),
  );
  if (unknown >= 0) {
    const o = observations[unknown]!;
    const reason = `member ${names[unknown]}: ${o.reason ?? o.kind}`;
    return { ...base, kind: o.kind, exitCode: o.exitCode, reason };
  }
  const up = members.filter((m) => m.kind === 'up');
  if (up.length === members.length) {
    const priority = Math.max(...up.map((m) => m.priority ?? 1));
    return { ...base, kind: 'up', priority, exitCode: priority };
  }
  if (up.length === 0) return { ...base, kind: 'down', exitCode: 0 };
  const down = members.filter((m) => m.kind !== 'up').map((m) => m.name);
  const reason = `partial: ${up.map((m) => m.name).join(', ')} up, ${down.join(', ')} down`;
  return { ...base, kind: 'down', exitCode: 0, partial: true, reason };
}
