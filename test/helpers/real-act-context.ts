/** A real act context for tests: local executors, and a logger that keeps its lines in order. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActContext } from '../../src/act/context.js';
import type { ProcessConfig } from '../../src/config/model.js';
import { createExecutorPool } from '../../src/exec/create-pool.js';
import { LocalExecutor } from '../../src/exec/local-executor.js';
import type { LogFields, Logger } from '../../src/log/logger.js';

/** Log lines are `level message {fields as JSON}`. */
export async function realActContext(process: ProcessConfig): Promise<ActContext & { lines: string[] }> {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  const logger: Logger = {
    error: keep('error'),
    warn: keep('warn'),
    info: keep('info'),
    debug: keep('debug'),
  };
  return {
    pool: await createExecutorPool([process]),
    hookExecutor: new LocalExecutor('localhost'),
    logger,
    now: () => Date.now(),
    sleep: (ms) => sleep(ms),
    mayAct: () => true,
    lines,
  };
}
