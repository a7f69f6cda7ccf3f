/** Builds the context act/ and the pass runner need from a runtime. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutorPool } from '../exec/executor.js';
import { LocalExecutor } from '../exec/local-executor.js';
import type { CycleDeps } from '../pass/process-cycle.js';
import type { JournalEntry } from '../state/model.js';
import type { Runtime } from './runtime.js';

/** Cycle dependencies over the file-backed store and journal of `runtime`. */
export function createCycleDeps(
  runtime: Runtime,
  pool: ExecutorPool,
  options: { dryRun: boolean; mayAct?: () => boolean; epoch?: string },
): CycleDeps {
  return {
    pool,
    hookExecutor: new LocalExecutor('localhost'),
    logger: runtime.logger,
    now: Date.now,
    sleep: (ms: number) => sleep(ms),
    mayAct: options.mayAct ?? (() => true),
    dryRun: options.dryRun,
    epoch: options.epoch,
    store: runtime.store,
    stateDir: runtime.layout.dir,
    recordJournal: async (entries: JournalEntry[]) => {
      for (const entry of entries) await runtime.journal.append(entry);
    },
    onCheck: (process, candidate, observation) =>
      runtime.logger.debug(`test ${process.name}@${candidate.host}: ${observation.kind}`, {
        process: process.name,
        host: candidate.host,
        command: candidate.commands.test,
        exitCode: observation.exitCode,
        durationMs: observation.durationMs,
        ...(observation.reason ? { reason: observation.reason } : {}),
      }),
  };
}
