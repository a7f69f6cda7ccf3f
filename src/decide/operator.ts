/**
 * Operator requests (move, start, stop, maintenance, reset), applied first in a
 * pass. Each request is one-shot: decide clears it from the state it returns.
 */
import { hostRecord, type ProcessState } from '../state/model.js';
import type { Plan } from './actions.js';
import { clearBackoff } from './backoff.js';
import { rankUpInstances } from './candidates.js';
import { fenceSubject } from './fence.js';
import { makePlan, type DecideInput } from './make-plan.js';
import type { QuorumAssessment } from './quorum.js';

export interface RequestResult {
  state: ProcessState;
  /** Set when the request decides this pass by itself. */
  plan?: Plan;
}

/**
 * Clears given-up, latch, back-off and the restart history: `ha-valet reset`.
 * It also forgets the active host: an instance still up is adopted again by the
 * same pass, and a start the reset leads to is a fresh start, not a failover (so
 * it neither re-arms the latch at once nor runs failover hooks). It keeps
 * `lastActiveHost`: a start elsewhere still fences a host not confirmed down.
 */
export function resetState(state: ProcessState): ProcessState {
  const hosts = Object.fromEntries(
    Object.entries(state.hosts).map(([host, record]) => [host, clearBackoff(record)]),
  );
  return {
    ...state,
    givenUpAt: null,
    latched: false,
    startTimes: [],
    hosts,
    status: 'unknown',
    activeHost: null,
    lastActiveHost: fenceSubject(state),
    startedAt: null,
  };
}

/** Applies `input.state.request`, if any. */
export function applyOperatorRequest(input: DecideInput, quorum: QuorumAssessment): RequestResult {
  const request = input.state.request;
  if (!request) return { state: input.state };
  const state: ProcessState = { ...input.state, request: null };
  switch (request.type) {
    case 'reset':
      return { state: resetState(state) };
    case 'maintenance-on':
      return { state: { ...state, maintenance: true } };
    case 'maintenance-off':
      return { state: { ...state, maintenance: false } };
    case 'stop': {
      const up = rankUpInstances(input.process, input.observations).map((u) => u.candidate.host);
      const held = {
        ...state,
        maintenance: true,
        activeHost: null,
        lastActiveHost: fenceSubject(state),
        startedAt: null,
      };
      const actions = up.map((host) => ({
        type: 'stop' as const,
        host,
        reason: `stopped by operator ${request.by}`,
      }));
      return {
        state: held,
        plan: makePlan(
          input,
          held,
          'maintenance',
          actions,
          `stopping by operator request of ${request.by}; held stopped until start`,
        ),
      };
    }
    case 'start':
    case 'move':
      return applyPlacement(input, quorum, state, request.type, request.host, request.by);
  }
}

/** `start [--on HOST]` and `move --to HOST`: place the service on a host. */
function applyPlacement(
  input: DecideInput,
  quorum: QuorumAssessment,
  state: ProcessState,
  type: 'start' | 'move',
  host: string | null,
  by: string,
): RequestResult {
  const candidate = host === null ? null : input.process.candidates.find((c) => c.host === host);
  const observation = host === null ? null : input.observations.find((o) => o.host === host);
  if (
    host !== null &&
    (!candidate || !observation || observation.kind === 'unreachable' || observation.kind === 'error')
  ) {
    // A refused request changes nothing else: maintenance, latch and history stay as they were.
    const why = !candidate ? 'not a candidate host' : `${observation?.kind ?? 'not probed'}`;
    return {
      state,
      plan: makePlan(input, state, state.status, [], `${type} to ${host} refused: ${why} (by ${by})`),
    };
  }
  const released = { ...state, maintenance: false };
  const started = type === 'start' ? resetState(released) : released;
  if (host === null || !observation) return { state: started };
  // Ranked on the quorum's view: an instance only the peers see up still has to go.
  const up = rankUpInstances(input.process, quorum.observations).map((u) => u.candidate.host);
  const others = up.filter((h) => h !== host);
  if (observation.kind === 'up') {
    // Already running on the target: only the other instances have to go (never start it twice).
    const here = { ...started, activeHost: host, placedAt: input.now };
    if (others.length === 0)
      return { state: here, plan: makePlan(input, here, 'up', [], `already up on ${host} (by ${by})`) };
    const stops = others.map((h) => ({
      type: 'stop' as const,
      host: h,
      reason: `${type} to ${host} by operator ${by}`,
    }));
    return {
      state: here,
      plan: makePlan(
        input,
        here,
        'up',
        stops,
        `${type} to ${host} by operator ${by}: stopping ${others.join(', ')}`,
      ),
    };
  }
  const placed = {
    ...started,
    hosts: { ...started.hosts, [host]: { ...hostRecord(started, host), retryAfter: null } },
  };
  const reason = `${type} to ${host} by operator ${by}`;
  const action =
    others.length > 0
      ? { type: 'switchover' as const, host, fromHosts: others, reason, operator: true }
      : { type: 'start' as const, host, fromHost: null, failover: false, reason };
  return { state: placed, plan: makePlan(input, placed, 'down', [action], `${reason}`) };
}
