/**
 * Start-and-verify and stop-and-verify of one process on one host. A start that
 * fails or never verifies is cleaned up with the host's stop command: in the background
 * (context.cleanups) when the start exited non-zero, so the pass moves on to the next host
 * at once; before returning when it exited 0 but never verified (it may be running slowly).
 */
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import { describeFailure, runLogged, type ActContext } from './context.js';
import { verifyUntil } from './verify.js';
import { classifyResult } from '../probe/classify.js';
import type { SettledCleanup } from './pending-cleanups.js';

export interface StepResult {
  ok: boolean;
  /** Nothing ran: this watcher no longer leads. */
  refused?: boolean;
  reason: string;
  exitCode: number | null;
  observations: Observation[];
}

/** Finds the candidate of `process` for `host` (decide only plans for candidates). */
export function candidateFor(process: ProcessConfig, host: string): Candidate {
  const candidate = process.candidates.find((c) => c.host === host);
  if (!candidate) throw new Error(`${host} is not a candidate host of ${process.name}`);
  return candidate;
}

/** The step result when leadership was lost (or shutdown began) before a command. */
function notActing(): StepResult {
  return {
    ok: false,
    refused: true,
    reason: 'not acting: leadership lost',
    exitCode: null,
    observations: [],
  };
}

/** Runs the start command, verifies the host reports up within start_timeout, cleans up on failure. */
export async function startAndVerify(
  context: ActContext,
  process: ProcessConfig,
  host: string,
): Promise<StepResult> {
  const candidate = candidateFor(process, host);
  if (!context.mayAct()) return notActing();
  const started = context.now();
  const result = await runLogged(context, process, candidate, 'start', process.startTimeoutMs);
  if (result.exitCode !== 0) {
    const reason = `start failed, ${describeFailure(result)}`;
    if (context.cleanups) {
      // mayAct() is checked now, before the stop, and again before the test.
      context.cleanups.add(cleanUp(context, process, candidate, reason));
      return { ok: false, reason, exitCode: result.exitCode, observations: [] };
    }
    const after = (await cleanUp(context, process, candidate, reason)).observation;
    return { ok: false, reason, exitCode: result.exitCode, observations: after ? [after] : [] };
  }
  const remaining = Math.max(0, process.startTimeoutMs - (context.now() - started));
  const verify = await verifyUntil(context, process, candidate, (o) => o.kind === 'up', remaining);
  if (!verify.ok) {
    const seen = verify.observation.reason ?? verify.observation.kind;
    const reason = `not up within ${Math.round(process.startTimeoutMs / 1000)} s after start (last test: ${seen})`;
    const after = (await cleanUp(context, process, candidate, reason)).observation;
    return { ok: false, reason, exitCode: 0, observations: [after ?? verify.observation] };
  }
  return { ok: true, reason: `started on ${host}`, exitCode: 0, observations: [verify.observation] };
}

/**
 * Runs the stop command after a failed start so no half-started instance lingers, then
 * tests the host once, so the rest of the pass decides on what is true now. Never rejects.
 */
async function cleanUp(
  context: ActContext,
  process: ProcessConfig,
  candidate: Candidate,
  why: string,
): Promise<SettledCleanup> {
  const settled = { process: process.name, host: candidate.host, why };
  if (!context.mayAct()) {
    // A stale leader must not stop what the new leader may have started meanwhile.
    context.logger.warn(
      `start of ${process.name} on ${candidate.host} failed; not running its stop command: no longer acting`,
      { process: process.name, host: candidate.host, reason: why },
    );
    return { ...settled, command: null, exitCode: null, durationMs: 0, observation: null };
  }
  context.logger.warn(`start of ${process.name} on ${candidate.host} failed; running its stop command`, {
    process: process.name,
    host: candidate.host,
    reason: why,
  });
  const stop = await runLogged(context, process, candidate, 'stop', process.stopTimeoutMs);
  const done = {
    ...settled,
    command: candidate.commands.stop,
    exitCode: stop.exitCode,
    durationMs: stop.durationMs,
  };
  if (!context.mayAct()) return { ...done, observation: null };
  const test = await runLogged(context, process, candidate, 'test', process.testTimeoutMs);
  return { ...done, observation: classifyResult(candidate.host, test, context.now()) };
}

/** Runs the stop command and verifies the host reports down within stop_timeout. */
export async function stopAndVerify(
  context: ActContext,
  process: ProcessConfig,
  host: string,
): Promise<StepResult> {
  const candidate = candidateFor(process, host);
  if (!context.mayAct()) return notActing();
  const started = context.now();
  const result = await runLogged(context, process, candidate, 'stop', process.stopTimeoutMs);
  if (result.transportError || result.timedOut) {
    return {
      ok: false,
      reason: `stop failed, ${describeFailure(result)}`,
      exitCode: result.exitCode,
      observations: [],
    };
  }
  const remaining = Math.max(0, process.stopTimeoutMs - (context.now() - started));
  const verify = await verifyUntil(context, process, candidate, (o) => o.kind === 'down', remaining);
  if (!verify.ok) {
    const seen = verify.observation.reason ?? verify.observation.kind;
    const exit = result.exitCode === 0 ? '' : `, stop ${describeFailure(result)}`;
    const reason = `still not down ${Math.round(process.stopTimeoutMs / 1000)} s after stop (last test: ${seen}${exit})`;
    return { ok: false, reason, exitCode: result.exitCode, observations: [verify.observation] };
  }
  return {
    ok: true,
    reason: `stopped on ${host}`,
    exitCode: result.exitCode,
    observations: [verify.observation],
  };
}
