/**
 * What every acting command sets up from the global options: logger, config,
 * state layout and the coordinator (local lock + files, or etcd).
 */
import type { Command } from 'commander';
import type { Config } from '../config/model.js';
import { loadConfigFromOptions } from '../config/load-config.js';
import type { Coordinator } from '../coord/coordinator.js';
import { createCoordinator } from '../coord/create-coordinator.js';
import { createLogger, type Logger } from '../log/logger.js';
import { resolveStateDir, openStateLayout, type StateLayout } from '../state/state-dir.js';
import { enforceTrust, resolveTrustSetting } from '../trust/check-trust.js';
import type { TrustedPath } from '../trust/trusted-paths.js';
import type { GlobalOptions } from './global-options.js';

export interface Runtime {
  options: GlobalOptions;
  logger: Logger;
  config: Config;
  layout: StateLayout;
  coordinator: Coordinator;
}

/** Builds the logger from the global options (before the config is read, so config errors are logged too). */
export function loggerFromOptions(options: GlobalOptions): Logger {
  const format = options.logFormat === 'json' ? 'json' : 'text';
  return createLogger({ level: options.logLevel ?? 'info', format, file: options.logFile });
}

/** Logs the config's warnings (unknown keys, misspellings) once. */
export function logConfigWarnings(config: Config, logger: Logger): void {
  for (const warning of config.warnings) logger.warn(`${warning.file}:${warning.line}: ${warning.message}`);
}

/**
 * Refuses (ConfigError) when a file that decides what runs can be changed by
 * others, unless --trust-check / $HA_VALET_TRUST_CHECK says warn or off.
 */
export function checkTrust(
  config: Config,
  options: GlobalOptions,
  logger: Logger,
  extra: TrustedPath[] = [],
): void {
  enforceTrust(config, resolveTrustSetting(options.trustCheck), (message) => logger.warn(message), { extra });
}

/** Loads config, state layout and coordinator for `command` (its global options); `extra` paths are trust-checked too. */
export async function openRuntime(
  command: Command,
  logger?: Logger,
  extra: TrustedPath[] = [],
): Promise<Runtime> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const log = logger ?? loggerFromOptions(options);
  const config = await loadConfigFromOptions(options);
  logConfigWarnings(config, log);
  checkTrust(config, options, log, extra);
  const layout = await openStateLayout(resolveStateDir(config.global.stateDir), config.file);
  const coordinator = await createCoordinator(config, { warn: (message) => log.warn(message) });
  return { options, logger: log, config, layout, coordinator };
}
