/**
 * Observer quorum (issue 12), Redis Sentinel's rule: one watcher's "not up" is
 * subjective; a failover needs a quorum of live watchers to agree. Pure: the
 * merged view of the peers is an input (DecideInput.view), this watcher's own
 * view is `input.observations` (current: verify tests update it during a pass).
 *
 * Per host, the live watchers vote up / down / not up (down, unreachable, error):
 * - agreed up:       at least `quorum` see it up;
 * - agreed not up:   at least `quorum` see it not up (and it is not agreed up);
 * - confirmed down:  at least `quorum` see it answer `down` (no fence needed).
 * A peer's observation older than this watcher's last action on that host (start,
 * stop, fence) does not count: it describes the world before the action. Only a
 * host this watcher verified `down` after acting on it, and that no peer has seen
 * up since, counts as agreed down on its own view (it stopped it, or cleaned up a failed start, and tested it), and
 * so does a host it fenced (until the host answers again).
 * Without a view (coordination = local) this watcher is the quorum.
 */
import type { ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import type { MergedView } from '../quorum/merged-view.js';
import type { DecideInput } from './make-plan.js';

/** How the live watchers see one host. */
export interface HostVotes {
  host: string;
  own: Observation | undefined;
  up: number;
  down: number;
  notUp: number;
  /** The best `up` observation seen by anyone (this watcher's first), for its priority. */
  bestUp: Observation | null;
  /** Fenced by this watcher, or acted on after the peers looked and then seen answering `down`. */
  verifiedDown: boolean;
}

export interface QuorumAssessment {
  /** Watchers present (fresh and stale peers, this one included). */
  live: number;
  /** Agreement needed. */
  quorum: number;
  /** Peers whose observations were too old to count. */
  stale: number;
  /** False with local coordination: no peers, and nothing to hold back. */
  coordinated: boolean;
  votes: Map<string, HostVotes>;
  /** This watcher's observations, with hosts a quorum sees up marked up: instances are ranked on these. */
  observations: Observation[];
}

/**
 * The watchers present (this one, its fresh peers and its stale ones) and the
 * agreement needed: `quorum = N`, else a majority of those present. A stale peer
 * (alive, its key still on its lease, but its record too old) counts in the
 * denominator and never as a vote, so peers that stop publishing in time never
 * let a lone watcher decide; a dead one drops out when its lease ends.
 */
export function quorumOf(view: MergedView | undefined): { live: number; quorum: number } {
  const live = 1 + (view?.peers.length ?? 0) + (view?.stale.length ?? 0);
  return { live, quorum: view?.quorum ?? Math.floor(live / 2) + 1 };
}

/** Counts the votes of every candidate host. */
export function assessQuorum(input: DecideInput): QuorumAssessment {
  const { live, quorum } = quorumOf(input.view);
  const votes = new Map<string, HostVotes>();
  for (const { host } of input.process.candidates) {
    const own = input.observations.find((o) => o.host === host);
    const record = input.state.hosts[host];
    const actedAt = record?.actedAt ?? null;
    const fenced = (record?.fencedAt ?? null) !== null;
    const seen = (input.view?.peers ?? []).flatMap((p) => p.observations.filter((o) => o.host === host));
    const counted = seen.filter((o) => actedAt === null || o.at >= actedAt);
    const all = own ? [own, ...counted] : counted;
    votes.set(host, {
      host,
      own,
      up: all.filter((o) => o.kind === 'up').length,
      down: all.filter((o) => o.kind === 'down').length,
      notUp: all.filter((o) => o.kind !== 'up').length,
      bestUp: bestUp(all),
      // Its own `down` after its action counts only while no fresh peer view from after the action says up.
      verifiedDown:
        fenced ||
        (counted.length < seen.length && own?.kind === 'down' && !counted.some((o) => o.kind === 'up')),
    });
  }
  const assessment: QuorumAssessment = {
    live,
    quorum,
    stale: input.view?.stale.length ?? 0,
    coordinated: input.view !== undefined,
    votes,
    observations: [],
  };
  assessment.observations = input.observations.map((o) => effectiveObservation(assessment, o));
  return assessment;
}

/** The lowest-priority up observation, this watcher's own first among equals. */
function bestUp(observations: Observation[]): Observation | null {
  const up = observations.filter((o) => o.kind === 'up');
  return up.reduce<Observation | null>(
    (best, o) => (best === null || (o.priority ?? 999) < (best.priority ?? 999) ? o : best),
    null,
  );
}

/** `own` as decide should rank it: up when a quorum sees the host up, even if this watcher does not. */
function effectiveObservation(a: QuorumAssessment, own: Observation): Observation {
  const votes = a.votes.get(own.host);
  if (own.kind === 'up' || !votes?.bestUp || !isAgreedUp(a, own.host)) return own;
  return { ...votes.bestUp, host: own.host, reason: `up for ${votes.up} of ${a.live} watchers` };
}

/** A quorum sees the host up. */
export function isAgreedUp(a: QuorumAssessment, host: string): boolean {
  const v = a.votes.get(host);
  return v !== undefined && v.up >= a.quorum;
}

/** A quorum sees the host not up (and no quorum sees it up). */
export function isAgreedNotUp(a: QuorumAssessment, host: string): boolean {
  const v = a.votes.get(host);
  if (!v) return false;
  return v.verifiedDown || (v.notUp >= a.quorum && !isAgreedUp(a, host));
}

/** A quorum saw the host answer `down`: its instance is known to be stopped. */
export function isConfirmedDown(a: QuorumAssessment, host: string): boolean {
  const v = a.votes.get(host);
  return v !== undefined && (v.verifiedDown || v.down >= a.quorum);
}

/** `127.0.0.2 unreachable from this watcher` / `… not probed by this watcher`. */
function ownPart(v: HostVotes): string {
  return `${v.host} ${v.own ? `${v.own.kind} from this watcher` : 'not probed by this watcher'}`;
}

/**
 * The hosts on which this watcher and the quorum disagree about "up", one clause each:
 * `127.0.0.2 unreachable from this watcher, up for 2 of 3 watchers`. Null when they agree.
 */
export function describeDisagreement(a: QuorumAssessment): string | null {
  if (!a.coordinated) return null;
  const clauses: string[] = [];
  for (const v of a.votes.values()) {
    const ownUp = v.own?.kind === 'up';
    if (!ownUp && isAgreedUp(a, v.host)) clauses.push(`${ownPart(v)}, up for ${v.up} of ${a.live} watchers`);
    else if (ownUp && isAgreedNotUp(a, v.host))
      clauses.push(`${ownPart(v)}, not up for ${v.notUp} of ${a.live} watchers`);
  }
  return clauses.length > 0 ? clauses.join('; ') : null;
}

/** Why `host`, up for the quorum but not for this watcher, keeps this watcher from failing over; else null. */
export function describeHeldUp(a: QuorumAssessment, host: string): string | null {
  const v = a.votes.get(host);
  if (!a.coordinated || !v || v.own?.kind === 'up' || !isAgreedUp(a, host)) return null;
  return `${ownPart(v)}, up for ${v.up} of ${a.live} watchers: not failing over`;
}

/**
 * Nothing is up for this watcher: the candidates a quorum does not agree are not up
 * (too few fresh views, or split votes) block any start. Null when a start may go ahead.
 */
export function describeStartHold(a: QuorumAssessment, process: ProcessConfig): string | null {
  if (!a.coordinated) return null;
  const disputed = process.candidates
    .map((c) => a.votes.get(c.host)!)
    .filter((v) => !isAgreedNotUp(a, v.host));
  if (disputed.length === 0) return null;
  const stale = a.stale > 0 ? `, ${a.stale} stale` : '';
  const clauses = disputed.map(
    (v) => `${ownPart(v)}, not up for ${v.notUp} of ${a.live} watchers (quorum ${a.quorum}${stale})`,
  );
  return `${clauses.join('; ')}: not failing over`;
}

/** `127.0.0.2 unreachable from this watcher, down for 0 of 3 watchers`: why a host is not confirmed down. */
export function describeUnconfirmed(a: QuorumAssessment, host: string): string {
  const v = a.votes.get(host);
  const seen = v?.own ? `${v.own.kind} from this watcher` : 'not probed by this watcher';
  if (!a.coordinated || !v) return `${host} ${seen}`;
  return `${host} ${seen}, down for ${v.down} of ${a.live} watchers`;
}

/**
 * Split brain on the merged view: the keeper is an instance a quorum sees up (never one
 * only a minority sees), and only extras this watcher itself sees up can be stopped by it.
 */
export function orderSplitBrain<T extends { candidate: { host: string } }>(
  a: QuorumAssessment,
  up: T[],
): { ordered: T[]; hold: string | null; unreachable: string[] } {
  const agreed = up.filter((u) => isAgreedUp(a, u.candidate.host));
  const ordered = [...agreed, ...up.filter((u) => !agreed.includes(u))];
  const hold =
    agreed.length === 0
      ? `not stopping any: no instance is up for a quorum of ${a.quorum} (${up
          .map((u) => `${u.candidate.host} up for ${a.votes.get(u.candidate.host)?.up ?? 0} of ${a.live}`)
          .join(', ')})`
      : null;
  const unreachable = ordered
    .slice(1)
    .filter((u) => a.votes.get(u.candidate.host)?.own?.kind !== 'up')
    .map((u) => u.candidate.host);
  return { ordered, hold, unreachable };
}
