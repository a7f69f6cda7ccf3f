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
import { HEARTBEAT_FILE } from './heartbeat.js';
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
    const list: Observation[] = [];
    for (const record of Object.values(state.hosts)) {
      if (record.lastObservation !== null) list.push(record.lastObservation);
    }
    result[name] = list;
  }
  return result;
}

/**
 * Replaces the snapshot with `observations` (temp file, fsync, rename). `watched`: the
 * processes whose checks the connect helper makes without cycles (they said nothing new
 * until the heartbeat's watchedCheckedAt).
 */
export async function writeObservationSnapshot(
  dir: string,
  observations: Record<string, Observation[]>,
  at: number,
  watched: string[] = [],
): Promise<void> {
  await writeFileAtomic(snapshotPath(dir), `${JSON.stringify({ at, observations, watched })}\n`);
}

/**
 * The snapshot's observations by process; empty when there is none or it is unreadable.
 * Those of watched processes are dated as late as the heartbeat says they were checked.
 */
export function readObservationSnapshot(dir: string): Map<string, Observation[]> {
  try {
    const parsed = JSON.parse(readFileSync(snapshotPath(dir), 'utf8')) as {
      observations?: Record<string, Observation[]>;
      watched?: unknown;
    };
    const entries = Object.entries(parsed.observations ?? {}).filter(([, list]) => Array.isArray(list));
    const result = new Map(entries);
    const watched = Array.isArray(parsed.watched) ? parsed.watched.map(String) : [];
    const checkedAt = watched.length > 0 ? watchedCheckedAt(dir) : null;
    if (checkedAt === null) return result;
    for (const name of watched) {
      const list = result.get(name);
      if (list)
        result.set(
          name,
          list.map((o) => datedNoEarlier(o, checkedAt)),
        );
    }
    return result;
  } catch {
    return new Map();
  }
}

/** `observation` dated `at` when it is older (a watched check that said nothing new since). */
export function datedNoEarlier(observation: Observation, at: number): Observation {
  return observation.at < at ? { ...observation, at } : observation;
}

/** The heartbeat's watchedCheckedAt, or null. */
function watchedCheckedAt(dir: string): number | null {
  try {
    const beat = JSON.parse(readFileSync(path.join(dir, HEARTBEAT_FILE), 'utf8')) as {
      watchedCheckedAt?: unknown;
    };
    return typeof beat.watchedCheckedAt === 'number' ? beat.watchedCheckedAt : null;
  } catch {
    return null;
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
