/**
 * Runs a candidate's test, whatever its kind: a shell line through the
 * candidate's executor (local or SSH), or a native tcp:// / http(s):// check
 * from the watcher itself. Both give a RunResult that classify.ts reads.
 */
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { ExecutorPool, RunResult } from '../exec/executor.js';
import { runHttpTest } from './native/http-check.js';
import { runTcpTest } from './native/tcp-check.js';

/** Runs the test of `candidate` with `timeoutMs`; never throws for a failed check. */
export function runTest(
  pool: ExecutorPool,
  process: ProcessConfig,
  candidate: Candidate,
  timeoutMs: number,
): Promise<RunResult> {
  if (process.members) throw new Error(`${process.name} is a group: its members' tests run, not its own`);
  const native = candidate.nativeTest;
  if (native?.kind === 'tcp') return runTcpTest(native, candidate.rank, timeoutMs);
  if (native?.kind === 'http') return runHttpTest(native, candidate.rank, timeoutMs);
  return pool.forCandidate(process, candidate).run(candidate.commands.test, { timeoutMs });
}
