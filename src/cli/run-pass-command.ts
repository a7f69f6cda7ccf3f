/** The body of the default command: lead (lock or lease), probe, decide/act per process, save, print. */
import type { Command } from 'commander';
import { createExecutorPool } from '../exec/create-pool.js';
import { LockHeldError } from '../errors.js';
import { runProcessesOnce } from '../pass/process-cycle.js';
import { openRuntime } from '../runtime/runtime.js';
import { selectProcesses } from '../runtime/select-processes.js';
import { createCycleDeps } from '../runtime/cycle-deps.js';
import { passExitCode, renderPassJson, renderPassText } from './pass-output.js';

/** Runs one pass; returns the exit code (0 all up, 1 not all up; errors throw typed errors). */
export async function runPassCommand(
  command: Command,
  options: { process?: string[]; dryRun?: boolean; json?: boolean },
): Promise<number> {
  const runtime = await openRuntime(command);
  const { coordinator, logger } = runtime;
  try {
    const processes = selectProcesses(runtime.config, options.process);
    const dryRun = options.dryRun === true;
    const leadership = dryRun ? null : await coordinator.acquire();
    if (!dryRun && !leadership) {
      const health = await coordinator.refreshHealth();
      const pid = Number(health.leader?.split(':').pop());
      const named =
        Number.isInteger(pid) && pid > 0 ? `pid ${pid} on ${health.leader!.replace(/:\d+$/, '')}` : null;
      const holder = health.leader ? ` (held by ${named ?? health.leader})` : '';
      throw new LockHeldError(
        `another ha-valet pass or watcher is acting on ${runtime.config.file}${holder}; not acting`,
        Number.isInteger(pid) ? pid : null,
      );
    }
    const pool = await createExecutorPool(processes, {
      warn: (m) => logger.warn(m),
      debug: (m) => logger.debug(m),
    });
    try {
      const deps = createCycleDeps(runtime, pool, {
        dryRun,
        mayAct: () => leadership?.isValid() ?? false,
        epoch: coordinator.backend === 'etcd' ? leadership?.epoch : undefined,
      });
      const results = await runProcessesOnce(processes, deps);
      process.stdout.write(
        options.json ? renderPassJson(runtime.config.file, dryRun, results) : renderPassText(results),
      );
      return passExitCode(results);
    } finally {
      await pool.closeAll();
    }
  } finally {
    await coordinator.close();
  }
}
