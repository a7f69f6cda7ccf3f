/** What act/ needs from the outside world, passed in so it stays testable. */
import type { ExecutorPool, Executor, RunResult } from '../exec/executor.js';
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { Logger } from '../log/logger.js';
import { runTest } from '../probe/run-test.js';
import type { PendingCleanups } from './pending-cleanups.js';

export interface ActContext {
  pool: ExecutorPool;
  /** Runs hook commands on this machine. */
  hookExecutor: Executor;
  logger: Logger;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Checked before every command: false means stop acting (leadership lost, shutting down). */
  mayAct(): boolean;
  /**
   * Where the cleanup of a start that exited non-zero goes, to run while the caller moves on
   * to the next host; absent, the cleanup runs before the failed start returns.
   */
  cleanups?: PendingCleanups;
}

/** Runs one command of `process` on `candidate` and logs it with host, command, exit code and duration. */
export async function runLogged(
  context: ActContext,
  process: ProcessConfig,
  candidate: Candidate,
  what: 'start' | 'stop' | 'test',
  timeoutMs: number,
): Promise<RunResult> {
  if (process.members) throw new Error(`${process.name} is a group: its members' commands run, not its own`);
  const command = candidate.commands[what];
  const result =
    what === 'test'
      ? await runTest(context.pool, process, candidate, timeoutMs)
      : await context.pool.forCandidate(process, candidate).run(command, { timeoutMs });
  const label = process.group ? `${process.group}/${process.name}` : process.name;
  const fields = {
    process: process.name,
    ...(process.group ? { group: process.group } : {}),
    host: candidate.host,
    command,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    ...(result.timedOut ? { timedOut: true } : {}),
    ...(result.transportError ? { transportError: result.transportError } : {}),
  };
  if (what === 'test') context.logger.debug(`${what} ${label}@${candidate.host}`, fields);
  else
    context.logger.info(`${what} ${label}@${candidate.host}`, {
      ...fields,
      stderr: result.stderr.trim() || undefined,
    });
  return result;
}

/** Describes a failed command for a reason line: 'exit 1', 'timed out after 30000 ms', 'host key mismatch'. */
export function describeFailure(result: RunResult): string {
  if (result.transportError) return result.transportError;
  if (result.timedOut) return `timed out after ${result.durationMs} ms`;
  if (result.exitCode === null) return `killed by ${result.signal ?? 'a signal'}`;
  return `exit ${result.exitCode}`;
}
