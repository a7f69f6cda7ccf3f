/**
 * loadConfig: reads ha_valet.cfg from disk and returns the typed Config, or
 * throws one ConfigError carrying every diagnostic. Also finds the config path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { formatDiagnostics } from './diagnostics.js';
import type { Config } from './model.js';
import { parseConfigText, type ParseOptions } from './parse-config.js';

export { parseConfigText } from './parse-config.js';
export type { ParseOptions, ParseResult } from './parse-config.js';

export const SYSTEM_CONFIG_PATH = '/etc/ha-valet/ha_valet.cfg';
export const LOCAL_CONFIG_PATH = 'ha_valet.cfg';

/** The config path: -c, else $HA_VALET_CONFIG, else ./ha_valet.cfg if it exists, else /etc/ha-valet/ha_valet.cfg. */
export function resolveConfigPath(cliPath: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (cliPath) return cliPath;
  if (env.HA_VALET_CONFIG) return env.HA_VALET_CONFIG;
  if (existsSync(LOCAL_CONFIG_PATH)) return LOCAL_CONFIG_PATH;
  return SYSTEM_CONFIG_PATH;
}

/**
 * Reads the file's text; a missing or unreadable file is a one-line ConfigError.
 * Read synchronously: one small local file, and a CLI start then needs no
 * thread pool (a few ms of every `status` and `nagios` run).
 */
export async function readConfigFile(file: string): Promise<string> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file (give one with -c FILE or $HA_VALET_CONFIG)'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory, expected a file'
            : ((error as Error).message ?? String(error));
    throw new ConfigError(`cannot read config file ${file}: ${why}`);
  }
}

/** Loads and validates a config file; throws ConfigError with all diagnostics when invalid. */
export async function loadConfig(file: string, options: ParseOptions = {}): Promise<Config> {
  return configFromText(await readConfigFile(file), file, options);
}

/** Validates TEXT, the contents of FILE; throws ConfigError with all diagnostics when invalid. */
export function configFromText(text: string, file: string, options: ParseOptions = {}): Config {
  const { config, diagnostics } = parseConfigText(text, file, options);
  if (!config) throw new ConfigError(formatDiagnostics(diagnostics), diagnostics);
  return config;
}

/** Turns repeated `--define NAME=VALUE` options into a map; a malformed one is a UsageError. */
export function parseDefines(list: string[] | undefined): Record<string, string> {
  const defines: Record<string, string> = {};
  for (const item of list ?? []) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(item);
    if (!match) {
      throw new UsageError(
        `--define expects NAME=VALUE with an UPPERCASE NAME such as OSTRO_SERVER_DIR, got '${item}'`,
      );
    }
    defines[match[1] ?? ''] = match[2] ?? '';
  }
  return defines;
}

/** Loads the config named by the global -c/--config and -D/--define options (what every command does). */
export async function loadConfigFromOptions(
  options: { config?: string; define?: string[] },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Config> {
  return loadConfig(resolveConfigPath(options.config, env), { defines: parseDefines(options.define), env });
}
