/**
 * Folds a pass's observations into the stored state (pure): last observation per
 * host, consecutive bad checks, up/reachable streaks, and the death of the active instance.
 */
import type { ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import { hostRecord, type HostRecord, type ProcessState } from '../state/model.js';
import { noteDeath, type Death } from './death.js';

/** The new record of one host after `observation`. */
function foldHost(previous: HostRecord, observation: Observation, now: number): HostRecord {
  const up = observation.kind === 'up';
  const reachable = up || observation.kind === 'down';
  return {
    ...previous,
    lastObservation: observation,
    badChecks: up ? 0 : previous.badChecks + 1,
    upSince: up ? (previous.upSince ?? now) : null,
    reachableSince: reachable ? (previous.reachableSince ?? now) : null,
    lastUpAt: up ? now : previous.lastUpAt,
    // A fenced host that answers again is no longer known to be fenced.
    ...(reachable && previous.fencedAt != null ? { fencedAt: null } : {}),
  };
}

/** Updates the records of the hosts in `observations` only (verify tests during a pass). */
export function foldHostObservations(
  state: ProcessState,
  observations: Observation[],
  now: number,
): ProcessState {
  const hosts = { ...state.hosts };
  for (const observation of observations) {
    hosts[observation.host] = foldHost(hostRecord(state, observation.host), observation, now);
  }
  const anyUp = observations.some((o) => o.kind === 'up');
  return { ...state, hosts, downSince: anyUp ? null : state.downSince };
}

/** Returns `state` updated with a whole probe's `observations` (every candidate) taken at `now`. */
export function foldObservations(
  process: ProcessConfig,
  state: ProcessState,
  observations: Observation[],
  now: number,
): ProcessState {
  return foldProbe(process, state, observations, now).state;
}

/** foldObservations, also returning the death of the active instance this probe saw (for the journal). */
export function foldProbe(
  process: ProcessConfig,
  state: ProcessState,
  observations: Observation[],
  now: number,
): { state: ProcessState; death: Death } {
  const { hosts } = foldHostObservations(state, observations, now);
  const anyUp = observations.some((o) => o.kind === 'up');
  const next: ProcessState = { ...state, hosts, downSince: anyUp ? null : (state.downSince ?? now) };
  return noteDeath(process, state, next, now);
}
