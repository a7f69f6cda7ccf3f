/** Carries out VIP steps through each host's executor: add + gratuitous ARP, or remove. */
import type { ProcessConfig, VipConfig } from '../config/model.js';
import { describeFailure, type ActContext } from '../act/context.js';
import { candidateFor } from '../act/start-stop.js';
import { addCommand, announceCommand, removeCommand } from './vip-commands.js';
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
  const command = step.type === 'vip-add' ? addCommand(vip, step.device) : removeCommand(vip, step.device);
  const base = { step, command };
  if (!context.mayAct()) {
    return {
      ...base,
      ok: false,
      refused: true,
      reason: 'not acting: leadership lost',
      exitCode: null,
      durationMs: 0,
    };
  }
  const executor = context.pool.forCandidate(process, candidateFor(process, step.host));
  const timeoutMs = process.testTimeoutMs;
  const result = await executor.run(command, { timeoutMs });
  const fields = { process: process.name, host: step.host, command, exitCode: result.exitCode };
  if (result.exitCode !== 0) {
    const reason = `${step.type === 'vip-add' ? 'add' : 'remove'} failed, ${describeFailure(result)}${
      result.stderr.trim() ? `: ${result.stderr.trim().slice(0, 200)}` : ''
    }`;
    context.logger.warn(`${step.type} ${process.name}@${step.host}: ${reason}`, fields);
    return {
      ...base,
      ok: false,
      refused: false,
      reason,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
    };
  }
  context.logger.info(`${step.type} ${vip.cidr} ${process.name}@${step.host}`, fields);
  let reason = step.type === 'vip-add' ? `added on ${step.device}` : `removed from ${step.device}`;
  let durationMs = result.durationMs;
  const announce = step.type === 'vip-add' ? announceCommand(vip, step.device) : null;
  if (announce !== null) {
    const sent = await executor.run(announce, { timeoutMs });
    durationMs += sent.durationMs;
    if (sent.exitCode === 0) reason += ', gratuitous ARP sent';
    else {
      // The address is up; neighbours learn it at their next ARP request. Worth a warning, not a failure.
      reason += `, but gratuitous ARP failed (${describeFailure(sent)})`;
      context.logger.warn(`vip-add ${process.name}@${step.host}: gratuitous ARP failed`, {
        ...fields,
        command: announce,
        exitCode: sent.exitCode,
      });
    }
  }
  return { ...base, ok: true, refused: false, reason, exitCode: 0, durationMs };
}
