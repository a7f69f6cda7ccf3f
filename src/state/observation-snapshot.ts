/**
 * The watcher's newest observations of every process, in one file of the state
 * dir (`observations.json`), replaced atomically (with fsync) once per interval
 * when anything was checked. State files are written only when something
 * durable changes; this file is what lets `status --no-probe` show checks at
 * most one interval old, and bounds what a crash loses to one interval of
 * observations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Observation } from '../probe/observation.js';
import { writeFileAtomic } from './atomic-file.js';
import type { ProcessState } from './model.js';

const SNAPSHOT_FILE = 'observations.json';

/** The snapshot file of a state dir. */
export function snapshotPath(dir: string): string {
  return path.join(dir, SNAPSHOT_FILE);
}

/** The last observation of every host of every process in `states`. */
export function observationsOf(states: Map<string, ProcessState>): Record<string, Observation[]> {
  const result: Record<string, Observation[]> = {};
  for (const [name, state] of states) {
    result[name] = Object.values(state.hosts)
      .map((record) => record.lastObservation)
      .filter((o): o is Observation => o !== null);
  }
  return result;
}

/** Replaces the snapshot with `observations` (temp file, fsync, rename). */
export async function writeObservationSnapshot(
  dir: string,
  observations: Record<string, Observation[]>,
  at: number,
): Promise<void> {
  await writeFileAtomic(snapshotPath(dir), `${JSON.stringify({ at, observations })}\n`);
}

/** The snapshot's observations by process; empty when there is none or it is unreadable. */
export function readObservationSnapshot(dir: string): Map<string, Observation[]> {
  try {
    const parsed = JSON.parse(readFileSync(snapshotPath(dir), 'utf8')) as {
      observations?: Record<string, Observation[]>;
    };
    const entries = Object.entries(parsed.observations ?? {}).filter(([, list]) => Array.isArray(list));
    return new Map(entries);
  } catch {
    return new Map();
  }
}

/** `state` with each host's last observation replaced by a newer one from `observations`. */
export function withNewerObservations(
  state: ProcessState,
  observations: Observation[] | undefined,
): ProcessState {
  if (!observations || observations.length === 0) return state;
  const hosts = { ...state.hosts };
  for (const observation of observations) {
    const record = hosts[observation.host];
    if (record && (record.lastObservation?.at ?? -1) < observation.at)
      hosts[observation.host] = { ...record, lastObservation: observation };
  }
  return { ...state, hosts };
}
