/** The body of the default command: lock, probe, decide/act per process, save, print. */
import type { Command } from 'commander';
import { createExecutorPool } from '../exec/create-pool.js';
import { acquirePassLock } from '../state/pass-lock.js';
import { runProcessesOnce } from '../pass/process-cycle.js';
import { openRuntime } from './runtime.js';
import { selectProcesses } from './select.js';
import { createCycleDeps } from './act-context.js';
import { passExitCode, renderPassJson, renderPassText } from './pass-output.js';

/** Runs one pass; returns the exit code (0 all up, 1 not all up; errors throw typed errors). */
export async function runPassCommand(
  command: Command,
  options: { process?: string[]; dryRun?: boolean; json?: boolean },
): Promise<number> {
  const runtime = await openRuntime(command);
  const processes = selectProcesses(runtime.config, options.process);
  const dryRun = options.dryRun === true;
  const lock = dryRun ? null : await acquirePassLock(runtime.layout.lockPath);
  const pool = await createExecutorPool(processes, { warn: (m) => runtime.logger.warn(m) });
  try {
    const deps = createCycleDeps(runtime, pool, { dryRun });
    const results = await runProcessesOnce(processes, deps);
    process.stdout.write(
      options.json ? renderPassJson(runtime.config.file, dryRun, results) : renderPassText(results),
    );
    return passExitCode(results);
  } finally {
    await pool.closeAll();
    await lock?.release();
  }
}
