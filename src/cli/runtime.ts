/**
 * What every acting command sets up from the global options: logger, config,
 * state layout, store, journal, and the act context.
 */
import type { Command } from 'commander';
import type { Config } from '../config/model.js';
import { loadConfigFromOptions } from '../config/load-config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { resolveStateDir, openStateLayout, type StateLayout } from '../state/state-dir.js';
import { FileStateStore } from '../state/state-store.js';
import { FileJournal } from '../state/journal.js';
import type { GlobalOptions } from './main.js';

export interface Runtime {
  options: GlobalOptions;
  logger: Logger;
  config: Config;
  layout: StateLayout;
  store: FileStateStore;
  journal: FileJournal;
}

/** Builds the logger from the global options (before the config is read, so config errors are logged too). */
export function loggerFromOptions(options: GlobalOptions): Logger {
  const format = options.logFormat === 'json' ? 'json' : 'text';
  return createLogger({ level: options.logLevel ?? 'info', format, file: options.logFile });
}

/** Loads config and state for `command` (its global options). */
export async function openRuntime(command: Command, logger?: Logger): Promise<Runtime> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const log = logger ?? loggerFromOptions(options);
  const config = await loadConfigFromOptions(options);
  for (const warning of config.warnings) {
    log.warn(`${warning.file}:${warning.line}: ${warning.message}`);
  }
  const layout = await openStateLayout(resolveStateDir(config.global.stateDir), config.file);
  const warn = (message: string): void => log.warn(message);
  return {
    options,
    logger: log,
    config,
    layout,
    store: new FileStateStore(layout.dir, { warn }),
    journal: new FileJournal(layout.journalPath, { warn }),
  };
}
