/**
 * The merged view (issue 12): what every live watcher saw of a process's hosts,
 * built outside decide/ and handed to it as input. Pure: the caller passes the
 * peers' published observations and the time.
 *
 * A peer is fresh while its last published record of the process (written when
 * its probe ended) is at most `maxAgeMs` old; a stale peer's observations do not
 * count as votes, but the peer is still present (its key lives on its lease), so
 * decide/ counts it when it sizes the quorum: a hung peer never shrinks the
 * quorum. A dead watcher drops out when its lease ends and its key vanishes.
 * Record time, not each test's end: a probe waiting for one hung host publishes
 * the other hosts' results late but together. Ages use the publisher's clock: a
 * record dated more than `futureToleranceMs` after this watcher's now (a clock
 * ahead) is stale, so a skewed clock cannot keep a peer fresh for ever. This
 * watcher's own observations are not part of the view: decide/ takes them from
 * its own (current) observations, which verify tests update during a pass.
 */
import type { PublishedObservations } from '../coord/coordinator.js';
import type { Observation } from '../probe/observation.js';

/** One live peer's freshest observations. */
export interface PeerView {
  watcher: string;
  /** Its last probe's observations of the process's hosts (the newest per host). */
  observations: Observation[];
  /** Age of its last published record (ms). */
  ageMs: number;
}

export interface MergedView {
  /** Live peers (this watcher left out), by watcher id. */
  peers: PeerView[];
  /** Peers still present (key on a live lease) whose record is too old to count, or dated in the future, by watcher id. */
  stale: string[];
  /** Stale peers whose record is dated ahead of this watcher's clock (a subset of `stale`). */
  ahead: string[];
  /** `quorum = N`, or null for a majority of the present watchers (this one included). */
  quorum: number | null;
  maxAgeMs: number;
}

export interface MergeInput {
  /** This watcher's id: its own published record is not a peer. */
  ownId: string;
  /** Every watcher's published observations of the process, by watcher id. */
  published: Map<string, PublishedObservations>;
  now: number;
  maxAgeMs: number;
  /** How far a record may be dated after `now` (clock skew) before it counts as stale; default 0. */
  futureToleranceMs?: number;
  quorum: number | null;
}

/** Builds the merged view of one process. */
export function buildMergedView(input: MergeInput): MergedView {
  const peers: PeerView[] = [];
  const stale: string[] = [];
  const ahead: string[] = [];
  for (const [watcher, record] of input.published) {
    if (watcher === input.ownId) continue;
    const future = record.at - input.now > (input.futureToleranceMs ?? 0);
    if (future) ahead.push(watcher);
    const ageMs = Math.max(0, input.now - record.at);
    if (future || ageMs > input.maxAgeMs || record.observations.length === 0) {
      stale.push(watcher);
      continue;
    }
    peers.push({ watcher, observations: freshest(record.observations), ageMs });
  }
  peers.sort((a, b) => a.watcher.localeCompare(b.watcher));
  stale.sort();
  ahead.sort();
  return { peers, stale, ahead, quorum: input.quorum, maxAgeMs: input.maxAgeMs };
}

/** The newest observation of each host. */
function freshest(observations: Observation[]): Observation[] {
  const byHost = new Map<string, Observation>();
  for (const o of observations) {
    const seen = byHost.get(o.host);
    if (!seen || seen.at < o.at) byHost.set(o.host, o);
  }
  return [...byHost.values()];
}
