/**
 * The trust check every command that runs commands makes before it runs one
 * (pass, watch and its reloads, the operator commands, doctor, status and
 * nagios when they probe), and that `validate` reports: the paths of
 * trusted-paths.ts, judged by rules.ts on what read-facts.ts finds.
 *
 * The opt-out is `--trust-check warn|off` or HA_VALET_TRUST_CHECK: set by
 * whoever starts ha-valet (the unit, the crontab), never by the config file,
 * since whoever can write the file could then switch off its own check.
 */
import os from 'node:os';
import { formatDiagnostic, formatDiagnostics } from '../config/diagnostics.js';
import type { Config, Diagnostic } from '../config/model.js';
import { ConfigError, UsageError } from '../errors.js';
import { configStateDir, resolveStateDir } from '../state/state-dir.js';
import { checkPaths, toDiagnostics } from './check-paths.js';
import { createFactReader, type FactReader } from './read-facts.js';
import { configFilePath, trustedPaths, type TrustedPath } from './trusted-paths.js';

export const TRUST_MODES = ['enforce', 'warn', 'off'] as const;
export type TrustMode = (typeof TRUST_MODES)[number];
export const TRUST_ENV = 'HA_VALET_TRUST_CHECK';

/** The mode and where it was set (for the warning that names it). */
export interface TrustSetting {
  mode: TrustMode;
  /** `--trust-check warn`, `HA_VALET_TRUST_CHECK=off`, or 'default'. */
  source: string;
}

/** The mode from `--trust-check`, else $HA_VALET_TRUST_CHECK, else enforce; a bad value is a UsageError. */
export function resolveTrustSetting(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): TrustSetting {
  const fromEnv = env[TRUST_ENV];
  const value = option ?? (fromEnv === '' ? undefined : fromEnv);
  if (value === undefined) return { mode: 'enforce', source: 'default' };
  const source = option !== undefined ? `--trust-check ${value}` : `${TRUST_ENV}=${value}`;
  if (!(TRUST_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`${source}: expected ${TRUST_MODES.join(', ')}`);
  }
  return { mode: value as TrustMode, source };
}

/** The effective uid ha-valet runs as; null where there is none (not POSIX: nothing to check). */
export function runningUid(): number | null {
  return process.geteuid?.() ?? null;
}

export interface TrustCheckOptions {
  env?: NodeJS.ProcessEnv;
  /** Paths a command adds (watch's --http-token-file). */
  extra?: TrustedPath[];
  reader?: FactReader;
  uid?: number | null;
  severity?: Diagnostic['severity'];
}

/** The problems as diagnostics of `configFile`; with no parsed config only the file itself is checked. */
export function trustDiagnostics(
  configFile: string,
  config: Config | null,
  options: TrustCheckOptions = {},
): Diagnostic[] {
  const uid = options.uid === undefined ? runningUid() : options.uid;
  if (uid === null) return [];
  const env = options.env ?? process.env;
  let targets: TrustedPath[] = [configFilePath(configFile)];
  if (config) {
    const stateDir = resolveStateDir(config.global.stateDir, env, uid);
    targets = trustedPaths(config, {
      home: env.HOME || os.homedir(),
      stateDir,
      configStateDir: configStateDir(stateDir, config.file),
    });
  }
  const found = checkPaths([...targets, ...(options.extra ?? [])], options.reader ?? createFactReader(), uid);
  return toDiagnostics(configFile, found, options.severity ?? 'error');
}

/**
 * Refuses to go on (ConfigError, exit 2) when a trusted path can be changed by
 * others; in warn mode logs each problem instead, and with the check off says
 * so. Either opt-out warns on every start.
 */
export function enforceTrust(
  config: Config,
  setting: TrustSetting,
  warn: (message: string) => void,
  options: TrustCheckOptions = {},
): void {
  if (setting.mode === 'off') {
    warn(
      `file trust check is off (${setting.source}): nothing checks who can change the config, ` +
        `keys, known_hosts and state directory that decide what runs`,
    );
    return;
  }
  const severity = setting.mode === 'warn' ? 'warning' : 'error';
  const problems = trustDiagnostics(config.file, config, { ...options, severity });
  if (setting.mode === 'warn') {
    warn(`file trust check only warns (${setting.source}): unsafe files are reported, not refused`);
    // Logged as warnings already: the line itself need not say so again.
    for (const problem of problems) warn(formatDiagnostic({ ...problem, severity: 'error' }));
    return;
  }
  if (problems.length > 0) throw new ConfigError(describeRefusal(problems), problems);
}

/** The refusal: every problem, then one line that says nothing ran and what the way out is. */
export function describeRefusal(problems: Diagnostic[]): string {
  const count = problems.length === 1 ? 'a path that decides' : `${problems.length} paths that decide`;
  return (
    `${formatDiagnostics(problems)}\n` +
    `refusing to run: ${count} what ha-valet runs can be changed by other users; nothing was run ` +
    `(fix as shown; for an unusual setup see README "Security": --trust-check warn)`
  );
}
