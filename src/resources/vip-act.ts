/** Carries out VIP steps through each host's executor: add + announcement (ARP / NA), or remove. */
import type { ProcessConfig, VipConfig } from '../config/model.js';
import { describeFailure, type ActContext } from '../act/context.js';
import { candidateFor } from '../act/start-stop.js';
import {
  addAndAnnounceCommand,
  ANNOUNCE_FAILED,
  ANNOUNCED_AFTER_DAD,
  removeCommand,
} from './vip-commands.js';
import type { VipStep } from './vip-rule.js';

export interface VipStepOutcome {
  step: VipStep;
  ok: boolean;
  /** Nothing ran: this watcher no longer may act. */
  refused: boolean;
  reason: string;
  command: string;
  exitCode: number | null;
  durationMs: number;
}

/** Runs one VIP step; never throws for a failed command. */
export async function executeVipStep(
  context: ActContext,
  process: ProcessConfig,
  vip: VipConfig,
  step: VipStep,
): Promise<VipStepOutcome> {
  const command = commandFor(vip, step);
  const base = { step, command };
  if (!context.mayAct()) {
    const reason = 'not acting: leadership lost';
    return { ...base, ok: false, refused: true, reason, exitCode: null, durationMs: 0 };
  }
  const executor = context.pool.forCandidate(process, candidateFor(process, step.host));
  const result = await executor.run(command, { timeoutMs: process.testTimeoutMs });
  const fields = { process: process.name, host: step.host, command, exitCode: result.exitCode };
  const outcome = { ...base, refused: false, exitCode: result.exitCode, durationMs: result.durationMs };
  const added =
    step.type === 'vip-add' &&
    (result.exitCode === ANNOUNCE_FAILED || result.exitCode === ANNOUNCED_AFTER_DAD);
  if (result.exitCode !== 0 && !added) {
    const stderr = result.stderr.trim();
    const what = step.type === 'vip-add' ? 'add' : 'remove';
    const reason = `${what} failed, ${describeFailure(result)}${stderr ? `: ${stderr.slice(0, 200)}` : ''}`;
    context.logger.warn(`${step.type} ${process.name}@${step.host}: ${reason}`, fields);
    return { ...outcome, ok: false, reason };
  }
  context.logger.info(`${step.type} ${vip.cidr} ${process.name}@${step.host}`, fields);
  if (step.type === 'vip-remove') return { ...outcome, ok: true, reason: `removed from ${step.device}` };
  const announcement = vip.family === 4 ? 'gratuitous ARP' : 'neighbour advertisement';
  if (result.exitCode === ANNOUNCE_FAILED) {
    // The address is up; neighbours learn it when their cached entry fails. Worth a warning, not a failure.
    context.logger.warn(`vip-add ${process.name}@${step.host}: ${announcement} failed`, fields);
    const reason = `added on ${step.device}, but the ${announcement} failed`;
    return { ...outcome, ok: true, exitCode: 0, reason };
  }
  if (result.exitCode === ANNOUNCED_AFTER_DAD) {
    const reason = `added on ${step.device} with DAD (no na6 there), the kernel sends the ${announcement} after it`;
    return { ...outcome, ok: true, exitCode: 0, reason };
  }
  return { ...outcome, ok: true, reason: `added on ${step.device}, ${announcement} sent` };
}

/** One command per step: an add carries its announcement, so a failover costs one round trip. */
function commandFor(vip: VipConfig, step: VipStep): string {
  if (step.type === 'vip-remove') return removeCommand(vip, step.device);
  return addAndAnnounceCommand(vip, step.device);
}
