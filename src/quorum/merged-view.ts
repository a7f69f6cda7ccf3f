/**
 * The merged view (issue 12): what every live watcher saw of a process's hosts,
 * built outside decide/ and handed to it as input. Pure: the caller passes the
 * peers' published observations and the time.
 *
 * Every watcher with a published record counts toward the majority: the
 * record lives on the watcher's etcd lease, so a watcher that died or lost
 * etcd drops out within lease_ttl. A peer's observations count as votes while
 * its last published record of the process (written when its probe ended) is
 * at most `maxAgeMs` old; a stale peer's do not, and its silence is no
 * agreement either (a slow probe must not let the leader decide alone). Record time, not each test's end: a probe waiting for one hung host
 * publishes the other hosts' results late but together. Ages use the
 * publisher's clock: watchers' clocks must agree well within `maxAgeMs`. This
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
  /** Peers that published, but too long ago to count, by watcher id. */
  stale: string[];
  /** `quorum = N`, or null for a majority of the live watchers (this one included). */
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
  quorum: number | null;
}

/** Builds the merged view of one process. */
export function buildMergedView(input: MergeInput): MergedView {
  const peers: PeerView[] = [];
  const stale: string[] = [];
  for (const [watcher, record] of input.published) {
    if (watcher === input.ownId) continue;
    const ageMs = Math.max(0, input.now - record.at);
    if (ageMs > input.maxAgeMs || record.observations.length === 0) {
      stale.push(watcher);
      continue;
    }
    peers.push({ watcher, observations: freshest(record.observations), ageMs });
  }
  peers.sort((a, b) => a.watcher.localeCompare(b.watcher));
  stale.sort();
  return { peers, stale, quorum: input.quorum, maxAgeMs: input.maxAgeMs };
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

/**
 * The watchers' count (this one, the fresh peers and the stale ones: all hold
 * a lease) and the agreement needed: a stale peer shrinks the votes, never the majority.
 */
export function quorumOf(view: MergedView | undefined): { live: number; quorum: number } {
  const live = 1 + (view?.peers.length ?? 0) + (view?.stale.length ?? 0);
  return { live, quorum: view?.quorum ?? Math.floor(live / 2) + 1 };
}

/**
 * `observation_max_age`, else three intervals (the watcher's --interval when it
 * overrides the file) plus the longest probe: a watcher waiting for a hung host
 * publishes that late, and its view must still count.
 */
export function resolveMaxAgeMs(
  configured: number | undefined,
  intervalMs: number,
  slowestProbeMs = 0,
): number {
  return configured ?? 3 * intervalMs + slowestProbeMs;
}
