/**
 * Whether a process is steady (pure): while its observations stay what they are,
 * no later cycle would act or change anything durable. The watcher then need not
 * run cycles of it until a check says something new (watch/watched-loop.ts): its
 * cost grows with change, not with time.
 *
 * Every time-driven rule (back-off, failback_delay, min_uptime, restart_window,
 * given_up_retry, …) is a threshold that, once passed, stays passed. So asking
 * decide once more at a time past every delay the process can have, with the same
 * observations, shows whether any of them would still fire: steady means this
 * cycle changed nothing durable and that later cycle would neither act nor change
 * anything durable either.
 */
import type { ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import { MAX_PRIORITY } from '../probe/classify.js';
import { durablyEqual } from '../state/durable-equal.js';
import type { ProcessState } from '../state/model.js';
import { noAttempts } from './actions.js';
import { decide } from './decide.js';
import { foldProbe } from './observe.js';

/**
 * Past every delay a process is configured with: the longest of its `…Ms` settings, and the
 * priority wait of the least preferred priority (priority − 1 waits), plus a day.
 */
export function steadyHorizonMs(process: ProcessConfig): number {
  let longest = 0;
  for (const [key, value] of Object.entries(process)) {
    if (key.endsWith('Ms') && typeof value === 'number' && Number.isFinite(value))
      longest = Math.max(longest, value);
  }
  return Math.max(longest, MAX_PRIORITY * process.priorityWaitMs) + 86_400_000;
}

/**
 * True when `process`, whose cycle at `now` took state `before` to `after` with
 * `observations` and did nothing, would do nothing and change nothing durable at any
 * later time while every check keeps saying the same.
 */
export function isSteady(
  process: ProcessConfig,
  observations: Observation[],
  before: ProcessState,
  after: ProcessState,
  now: number,
): boolean {
  if (!durablyEqual(before, after, process)) return false;
  const later = now + steadyHorizonMs(process);
  const seen = observations.map((o) => ({ ...o, at: later }));
  const folded = foldProbe(process, after, seen, later);
  if (folded.death !== null) return false;
  const plan = decide({
    process,
    observations: seen,
    state: folded.state,
    attempts: noAttempts(),
    now: later,
  });
  return plan.actions.length === 0 && durablyEqual(after, plan.state, process);
}
