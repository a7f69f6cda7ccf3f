/** Carries out one planned action and reports its outcome as data. */
import type { ProcessConfig } from '../config/model.js';
import type {
  Action,
  ActionOutcome,
  HookName,
  MemberStep,
  StartAction,
  SwitchoverAction,
} from '../decide/actions.js';
import type { ActContext } from './context.js';
import { runFence } from './run-fence.js';
import { runHookList, type HookListResult } from './run-hooks.js';
import { startOn, stopOn } from './group-actions.js';
import type { Observation } from '../probe/observation.js';

type HookSteps = NonNullable<ActionOutcome['hookSteps']>;

/** Tags a hook list's steps with the hook's name for the journal. */
function tagSteps(hook: HookName, result: HookListResult): HookSteps {
  return result.steps.map((step) => ({ hook, ...step }));
}

/** Runs `action`; never throws for a failed command. */
export async function executeAction(
  context: ActContext,
  process: ProcessConfig,
  action: Action,
): Promise<ActionOutcome> {
  const started = context.now();
  const finish = (outcome: Omit<ActionOutcome, 'action' | 'durationMs'>): ActionOutcome => ({
    action,
    durationMs: context.now() - started,
    ...outcome,
  });
  if (!context.mayAct()) {
    return finish({ ok: false, refused: true, reason: 'not acting: leadership lost', observations: [] });
  }
  switch (action.type) {
    case 'start':
      return finish(await executeStart(context, process, action));
    case 'stop': {
      const step = await stopOn(context, process, action.host);
      return finish({
        ok: step.ok,
        refused: step.refused,
        reason: step.reason,
        observations: step.observations,
        exitCode: step.exitCode,
        ...(step.memberSteps ? { memberSteps: step.memberSteps } : {}),
      });
    }
    case 'switchover':
      return finish(await executeSwitchover(context, process, action));
    case 'fence':
      return finish(await runFence(context, process, action));
    case 'hook': {
      const result = await runHookList(context, process, action.hook, action);
      return finish({
        ok: result.ok,
        reason: result.reason,
        observations: [],
        hookSteps: tagSteps(action.hook, result),
      });
    }
  }
}

type StepOutcome = Omit<ActionOutcome, 'action' | 'durationMs'>;

/**
 * Runs before_failover into `hookSteps`: null when the move may go ahead, else the
 * outcome that ends it (aborted by a failing step, or refused: leadership lost meanwhile).
 */
async function runPreflight(
  context: ActContext,
  process: ProcessConfig,
  vars: { fromHost: string | null; toHost: string | null; reason: string },
  what: 'failover' | 'switchover',
  hookSteps: HookSteps,
): Promise<StepOutcome | null> {
  const before = await runHookList(context, process, 'beforeFailover', vars);
  hookSteps.push(...tagSteps('beforeFailover', before));
  if (!before.ok) {
    return {
      ok: false,
      aborted: true,
      reason: `${what} aborted: ${before.reason}`,
      observations: [],
      hookSteps,
    };
  }
  if (!context.mayAct()) {
    return { ok: false, refused: true, reason: 'not acting: leadership lost', observations: [], hookSteps };
  }
  return null;
}

/** A start, wrapped in before/after_failover hooks when it is a failover. */
async function executeStart(
  context: ActContext,
  process: ProcessConfig,
  action: StartAction,
): Promise<StepOutcome> {
  const vars = { fromHost: action.fromHost, toHost: action.host, reason: action.reason };
  const hookSteps: HookSteps = [];
  if (action.failover) {
    const ended = await runPreflight(context, process, vars, 'failover', hookSteps);
    if (ended) return ended;
  }
  const step = await startOn(context, process, action.host);
  if (step.ok && action.failover) {
    hookSteps.push(...tagSteps('afterFailover', await runHookList(context, process, 'afterFailover', vars)));
  }
  return {
    ok: step.ok,
    refused: step.refused,
    reason: step.reason,
    observations: step.observations,
    exitCode: step.exitCode,
    hookSteps,
    ...(step.memberSteps ? { memberSteps: step.memberSteps } : {}),
  };
}

/**
 * Start on the new host and verify, then stop the old ones; the old ones keep running if the
 * start fails. A group's switchover (`stopFirst`) stops the old hosts first and starts only when
 * they all stopped: its resources (a pool, a mount) cannot be on two hosts at once.
 */
async function executeSwitchover(
  context: ActContext,
  process: ProcessConfig,
  action: SwitchoverAction,
): Promise<StepOutcome> {
  const vars = { fromHost: action.fromHosts[0] ?? null, toHost: action.host, reason: action.reason };
  const hookSteps: HookSteps = [];
  const ended = await runPreflight(context, process, vars, 'switchover', hookSteps);
  if (ended) return ended;
  const observations: Observation[] = [];
  const memberSteps: MemberStep[] = [];
  const stopped: string[] = [];
  const notStopped: string[] = [];
  const failures: string[] = [];
  const stopOld = async (): Promise<void> => {
    for (const host of action.fromHosts) {
      const stop = await stopOn(context, process, host);
      observations.push(...stop.observations);
      memberSteps.push(...(stop.memberSteps ?? []));
      if (stop.ok) stopped.push(host);
      else {
        notStopped.push(host);
        failures.push(`${host}: ${stop.reason}`);
        const what = action.stopFirst
          ? `not starting on ${action.host}: the instance on ${host} did not stop`
          : `started on ${action.host}, but the old instance on ${host} did not stop`;
        context.logger.warn(`${process.name}: ${what}`, {
          process: process.name,
          host,
          reason: stop.reason,
        });
      }
    }
  };
  const members = (): Partial<StepOutcome> => (memberSteps.length > 0 ? { memberSteps } : {});
  if (action.stopFirst) {
    await stopOld();
    if (failures.length > 0) {
      const reason = `not started on ${action.host}: ${failures.join('; ')}`;
      return {
        ok: false,
        reason,
        observations,
        exitCode: null,
        stoppedHosts: stopped,
        notStoppedHosts: notStopped,
        hookSteps,
        ...members(),
      };
    }
  }
  const start = await startOn(context, process, action.host);
  memberSteps.push(...(start.memberSteps ?? []));
  observations.push(...start.observations);
  if (!start.ok)
    return {
      ok: false,
      refused: start.refused,
      reason: start.reason,
      observations,
      exitCode: start.exitCode,
      ...(action.stopFirst ? { stoppedHosts: stopped } : {}),
      hookSteps,
      ...members(),
    };
  if (!action.stopFirst) await stopOld();
  hookSteps.push(...tagSteps('afterFailover', await runHookList(context, process, 'afterFailover', vars)));
  const reason =
    failures.length === 0
      ? `moved to ${action.host}`
      : `started on ${action.host}, but ${failures.join('; ')}`;
  return {
    ok: true,
    reason,
    observations,
    exitCode: start.exitCode,
    stoppedHosts: stopped,
    hookSteps,
    ...members(),
  };
}
