/**
 * Runs decide/ over a timeline of probes without I/O, as the pass runner does: fold the probe,
 * decide, "carry out" each action with a scripted result, record it, decide again until settled.
 */
import { decide } from '../../../src/decide/decide.js';
import { noAttempts, type Action, type ActionOutcome, type Plan } from '../../../src/decide/actions.js';
import { foldHostObservations, foldObservations } from '../../../src/decide/observe.js';
import { recordAttempt, recordOutcome } from '../../../src/decide/record.js';
import type { ProcessConfig } from '../../../src/config/model.js';
import type { Observation } from '../../../src/probe/observation.js';
import type { ProcessState } from '../../../src/state/model.js';

export interface PassResult {
  /** 'start A', 'stop B', 'switchover A<-B' (hooks left out). */
  actions: string[];
  /** The plan that settled the pass. */
  final: Plan;
  /** The sentence of the first plan (why the pass acted). */
  first: Plan;
  state: ProcessState;
}

/** A probe where `up` hosts report their rank and every other candidate is down. */
export function probe(process: ProcessConfig, up: string[], unreachable: string[] = []): Observation[] {
  return process.candidates.map((c): Observation => {
    if (unreachable.includes(c.host)) {
      return { host: c.host, kind: 'unreachable', reason: 'exit 255', exitCode: 255, at: 0, durationMs: 1 };
    }
    return up.includes(c.host)
      ? { host: c.host, kind: 'up', priority: c.rank, exitCode: c.rank, at: 0, durationMs: 1 }
      : { host: c.host, kind: 'down', exitCode: 0, at: 0, durationMs: 1 };
  });
}

/** One pass at `now`; a start on a host in `failing` fails (`start failed, exit 1`), others verify. */
export function runPass(
  process: ProcessConfig,
  observations: Observation[],
  stored: ProcessState,
  now: number,
  failing: string[] = [],
): PassResult {
  let state = foldObservations(process, stored, observations, now);
  let seen = observations;
  let attempts = noAttempts();
  const actions: string[] = [];
  let first: Plan | null = null;
  let plan: Plan | null = null;
  for (let round = 0; round < 10; round++) {
    plan = decide({ process, observations: seen, state, attempts, now });
    first ??= plan;
    state = plan.state;
    if (plan.actions.length === 0) break;
    for (const action of plan.actions) {
      if (action.type !== 'hook') actions.push(describe(action));
      const ok = action.type === 'hook' || !failing.includes(action.host);
      const fresh = ok ? freshObservations(process, action) : [];
      const reason = ok ? 'ok' : 'start failed, exit 1';
      const outcome: ActionOutcome = { action, ok, reason, observations: fresh, durationMs: 0 };
      state = foldHostObservations(recordOutcome(process, state, outcome, now), fresh, now);
      attempts = recordAttempt(attempts, outcome);
      seen = [...seen.filter((o) => !fresh.some((f) => f.host === o.host)), ...fresh];
      if (!ok) break;
    }
  }
  return { actions, final: plan!, first: first!, state };
}

function describe(action: Exclude<Action, { type: 'hook' }>): string {
  return action.type === 'switchover'
    ? `switchover ${action.host}<-${action.fromHosts.join(',')}`
    : `${action.type} ${action.host}`;
}

function freshObservations(process: ProcessConfig, action: Action): Observation[] {
  if (action.type === 'hook') return [];
  const [upProbe] = probe(process, [action.host]).filter((o) => o.host === action.host);
  const down = (host: string): Observation => ({ host, kind: 'down', exitCode: 0, at: 0, durationMs: 1 });
  if (action.type === 'stop') return [down(action.host)];
  if (action.type === 'switchover') return [upProbe!, ...action.fromHosts.map(down)];
  return [upProbe!];
}
