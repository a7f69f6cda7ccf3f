/**
 * The states a watcher reports, with the last check time of its quiet watched
 * processes brought forward: the connect helper keeps checking them and tells only
 * of a change, so "nothing new since" is as fresh as the helper's last tally.
 */
import type { HostRecord, ProcessState } from '../state/model.js';
import { datedNoEarlier } from '../state/observation-snapshot.js';

/** `states` with each host's last observation of the processes in `names` dated no earlier than `at`. */
export function withCheckedAt(
  states: Map<string, ProcessState>,
  names: Iterable<string>,
  at: number,
): Map<string, ProcessState> {
  const result = new Map(states);
  for (const name of names) {
    const state = states.get(name);
    if (!state) continue;
    const hosts: Record<string, HostRecord> = {};
    for (const [host, record] of Object.entries(state.hosts)) {
      const seen = record.lastObservation;
      hosts[host] = seen && seen.at < at ? { ...record, lastObservation: datedNoEarlier(seen, at) } : record;
    }
    result.set(name, { ...state, hosts });
  }
  return result;
}
