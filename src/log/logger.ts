/**
 * The logger interface the core uses, and its winston implementation: logs go
 * to stderr (text or JSON lines), optionally also to a file. winston is loaded
 * on the first line that is actually logged, so a quiet cron pass (everything
 * up, nothing to say at the chosen level) does not pay for importing it.
 */
import { createRequire } from 'node:module';
import type * as Winston from 'winston';

/** Structured fields a log line may carry (process, host, command, exitCode, durationMs, …). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: string;
  format?: 'text' | 'json';
  file?: string;
}

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
type Level = keyof typeof LEVELS;

/** Formats fields as key=value pairs after the message, quoting values with spaces. */
export function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([key, value]) => value !== undefined && !['level', 'message', 'timestamp'].includes(key))
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

/** Builds the winston logger (synchronously: winston is CommonJS). */
function buildWinston(options: LoggerOptions): Winston.Logger {
  const winston = createRequire(import.meta.url)('winston') as typeof Winston;
  const text = winston.format.printf((info) => {
    const fields = formatFields(info as LogFields);
    return `${String(info.timestamp)} ${info.level.toUpperCase()} ${String(info.message)}${fields ? ` ${fields}` : ''}`;
  });
  const format = winston.format.combine(
    winston.format.timestamp(),
    options.format === 'json' ? winston.format.json() : text,
  );
  const transports: Winston.transport[] = [
    new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
  ];
  if (options.file) transports.push(new winston.transports.File({ filename: options.file }));
  return winston.createLogger({ level: options.level ?? 'info', format, transports });
}

/** Creates the process-wide logger; an unknown level falls back to info. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level: Level = (options.level ?? 'info') in LEVELS ? (options.level as Level) : 'info';
  let backend: Winston.Logger | null = null;
  const log =
    (at: Level) =>
    (message: string, fields?: LogFields): void => {
      if (LEVELS[at] > LEVELS[level]) return;
      backend ??= buildWinston({ ...options, level });
      backend.log(at, message, fields ?? {});
    };
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
