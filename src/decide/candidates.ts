/** Pure helpers that rank instances and pick hosts; shared by the decide rules. */
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import { hostRecord, type ProcessState } from '../state/model.js';
import type { PassAttempts } from './actions.js';
import { backingOffWords } from './backoff.js';

/** The latest observation of each candidate, in candidate order (missing ones left out). */
export function observationsByCandidate(
  process: ProcessConfig,
  observations: Observation[],
): Array<{ candidate: Candidate; observation: Observation }> {
  const byHost = new Map(observations.map((o) => [o.host, o]));
  return process.candidates.flatMap((candidate) => {
    const observation = byHost.get(candidate.host);
    return observation ? [{ candidate, observation }] : [];
  });
}

/** Running instances, best first: lowest reported priority, ties by preference. */
export function rankUpInstances(
  process: ProcessConfig,
  observations: Observation[],
): Array<{ candidate: Candidate; priority: number }> {
  return observationsByCandidate(process, observations)
    .filter(({ observation }) => observation.kind === 'up')
    .map(({ candidate, observation }) => ({
      candidate,
      priority: observation.priority ?? Number.MAX_SAFE_INTEGER,
    }))
    .sort((a, b) => a.priority - b.priority || a.candidate.rank - b.candidate.rank);
}

/** Why a candidate cannot take a start now, or null when it can. */
export function startBlocker(
  process: ProcessConfig,
  candidate: Candidate,
  observation: Observation | undefined,
  state: ProcessState,
  attempts: PassAttempts,
  now: number,
): string | null {
  if (!observation) return 'not probed';
  const failed = attempts.startFailed[candidate.host];
  if (failed !== undefined) return failed;
  if (observation.kind === 'unreachable') return `unreachable: ${observation.reason ?? 'no answer'}`;
  if (observation.kind === 'error') return `error: ${observation.reason ?? 'test failed'}`;
  if (observation.kind === 'up') return 'already up';
  return backingOffWords(process, hostRecord(state, candidate.host), now);
}

/** Formats `{host: reason}` as `Host_A: reason; Host_B: reason`. */
export function formatReasons(reasons: Array<[string, string]>): string {
  return reasons.map(([host, reason]) => `${host}: ${reason}`).join('; ');
}
