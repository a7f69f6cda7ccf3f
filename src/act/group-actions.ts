/**
 * Start and stop of a group unit (issue 13) on one host, member by member: starts in order, each
 * verified up by its own test before the next; a member whose start fails is cleaned up with its
 * stop command and the members already started are stopped again, in reverse, so a failed start
 * leaves the host as it found it. A stop removes the group's VIP first, then stops the members in
 * reverse order, each verified down; it ends at the first member that does not stop (stopping
 * what lies under it — a mount under NFS — would fail or do harm). Other processes: one step.
 */
import type { ProcessConfig } from '../config/model.js';
import { memberCandidate, probeGroupCandidate } from '../probe/probe.js';
import { combineMemberObservations } from '../probe/group-observation.js';
import type { Observation } from '../probe/observation.js';
import { probeVipHolders } from '../resources/vip-probe.js';
import { executeVipStep } from '../resources/vip-act.js';
import type { MemberStep } from '../decide/actions.js';
import type { ActContext } from './context.js';
import { startAndVerify, stopAndVerify, type StepResult } from './start-stop.js';

/** A step result with the members' steps, when the process is a group. */
export interface UnitStepResult extends StepResult {
  memberSteps?: MemberStep[];
}

/** Starts `process` on `host` and verifies it; a group member by member. */
export function startOn(context: ActContext, process: ProcessConfig, host: string): Promise<UnitStepResult> {
  return process.members
    ? startGroup(context, process.members, host)
    : startAndVerify(context, process, host);
}

/** Stops `process` on `host` and verifies it; a group's VIP first, then its members in reverse. */
export function stopOn(context: ActContext, process: ProcessConfig, host: string): Promise<UnitStepResult> {
  return process.members
    ? stopGroup(context, process, process.members, host)
    : stopAndVerify(context, process, host);
}

/** Runs one member's start or stop, timed, and notes it in `steps`. */
async function memberStep(
  context: ActContext,
  member: ProcessConfig,
  host: string,
  step: 'start' | 'stop',
  steps: MemberStep[],
): Promise<StepResult> {
  const began = context.now();
  const result =
    step === 'start'
      ? await startAndVerify(context, member, host)
      : await stopAndVerify(context, member, host);
  if (!result.refused) {
    steps.push({
      member: member.name,
      step,
      host,
      command: memberCandidate(member, host).commands[step],
      ok: result.ok,
      exitCode: result.exitCode,
      durationMs: context.now() - began,
      reason: result.reason,
    });
  }
  return result;
}

/** The group's failed step: named after the member, with what the group's test sees there now. */
async function memberFailed(
  context: ActContext,
  members: ProcessConfig[],
  host: string,
  member: ProcessConfig,
  result: StepResult,
  steps: MemberStep[],
): Promise<UnitStepResult> {
  const after = context.mayAct() ? [await probeGroupCandidate(members, host, context.pool, context.now)] : [];
  return {
    ok: false,
    ...(result.refused ? { refused: true } : {}),
    reason: `member ${member.name}: ${result.reason}`,
    exitCode: result.exitCode,
    observations: after,
    memberSteps: steps,
  };
}

/** Starts the members in order; on a failure stops the started ones in reverse. */
async function startGroup(
  context: ActContext,
  members: ProcessConfig[],
  host: string,
): Promise<UnitStepResult> {
  // A member's cleanup runs before the next step here: the group's own rollback depends on it.
  const inline: ActContext = { ...context };
  delete inline.cleanups;
  const steps: MemberStep[] = [];
  const seen: Observation[] = [];
  for (const [index, member] of members.entries()) {
    const result = await memberStep(inline, member, host, 'start', steps);
    if (!result.ok) {
      const started = members.slice(0, index).reverse();
      for (const done of started) {
        // As in a group stop: what lies under a member that did not stop is left as it is.
        const stopped = await memberStep(inline, done, host, 'stop', steps);
        if (!stopped.ok || stopped.refused) break;
      }
      return memberFailed(context, members, host, member, result, steps);
    }
    seen.push(result.observations[result.observations.length - 1]!);
  }
  const names = members.map((m) => m.name);
  return {
    ok: true,
    reason: `started on ${host} (${names.join(' → ')})`,
    exitCode: 0,
    observations: [combineMemberObservations(host, names, seen, context.now())],
    memberSteps: steps,
  };
}

/** Removes the group's VIP from `host`, then stops the members in reverse order. */
async function stopGroup(
  context: ActContext,
  unit: ProcessConfig,
  members: ProcessConfig[],
  host: string,
): Promise<UnitStepResult> {
  const steps: MemberStep[] = [];
  const seen: Observation[] = [];
  if (unit.vip && context.mayAct()) await removeVip(context, unit, host, steps);
  for (const member of [...members].reverse()) {
    const result = await memberStep(context, member, host, 'stop', steps);
    if (!result.ok) return memberFailed(context, members, host, member, result, steps);
    seen.unshift(result.observations[result.observations.length - 1]!);
  }
  const names = members.map((m) => m.name);
  return {
    ok: true,
    reason: `stopped on ${host} (${[...names].reverse().join(' → ')})`,
    exitCode: 0,
    observations: [combineMemberObservations(host, names, seen, context.now())],
    memberSteps: steps,
  };
}

/** Takes the group's VIP off `host` before its members stop (clients stop arriving first). */
async function removeVip(
  context: ActContext,
  unit: ProcessConfig,
  host: string,
  steps: MemberStep[],
): Promise<void> {
  const vip = unit.vip!;
  const [holding] = await probeVipHolders(unit, vip, context.pool, { only: [host] });
  for (const device of holding?.kind === 'held' ? holding.devices : []) {
    const step = { type: 'vip-remove' as const, host, device, reason: `group ${unit.name} stops on ${host}` };
    const outcome = await executeVipStep(context, unit, vip, step);
    if (outcome.refused) return;
    steps.push({
      member: `vip ${vip.address}`,
      step: 'vip-remove',
      host,
      command: outcome.command,
      ok: outcome.ok,
      exitCode: outcome.exitCode,
      durationMs: outcome.durationMs,
      reason: outcome.reason,
    });
  }
}
