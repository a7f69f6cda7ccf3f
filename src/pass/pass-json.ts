/** Observations and action outcomes as JSON: the shapes a pass's `--json` and `simulate --json` print. */
import type { ActionOutcome } from '../decide/actions.js';
import type { Observation } from '../probe/observation.js';

/** An observation as JSON (pass and simulate output). */
export function observationJson(o: Observation): Record<string, unknown> {
  return {
    host: o.host,
    kind: o.kind,
    priority: o.priority ?? null,
    reason: o.reason ?? null,
    exitCode: o.exitCode,
    durationMs: o.durationMs,
    at: new Date(o.at).toISOString(),
  };
}

/** An action carried out, as JSON (pass and simulate output). */
export function outcomeJson(o: ActionOutcome): Record<string, unknown> {
  return {
    type: o.action.type,
    host: o.action.type === 'hook' ? o.action.toHost : o.action.host,
    ...(o.action.type === 'hook' ? { hook: o.action.hook } : {}),
    ok: o.ok,
    reason: o.reason,
    exitCode: o.exitCode ?? null,
    durationMs: o.durationMs,
  };
}
