/** What one test command said about one host. */

export const OBSERVATION_KINDS = ['up', 'down', 'unreachable', 'error'] as const;
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];

export interface Observation {
  host: string;
  kind: ObservationKind;
  /** Set when kind is 'up': the exit code read as a priority (1 = best). */
  priority?: number;
  /** Why a host is unreachable or in error, e.g. 'timed out after 10000 ms'. */
  reason?: string;
  exitCode: number | null;
  /** Epoch milliseconds when the check finished. */
  at: number;
  durationMs: number;
  /** A group's host: what each member's test said there, in start order. */
  members?: MemberObservation[];
  /**
   * A group's host where some members are up and some down: no instance of the group (it
   * cannot serve), but its members hold resources there. `kind` is then 'down'.
   */
  partial?: boolean;
}

/** What one member's test said on a group's host. */
export interface MemberObservation {
  name: string;
  kind: ObservationKind;
  priority?: number;
  reason?: string;
}

/** True for the kinds that say nothing reliable about the service (decisions treat them alike). */
export function isUnknown(observation: Observation): boolean {
  return observation.kind === 'unreachable' || observation.kind === 'error';
}
