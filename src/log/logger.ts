/**
 * The logger interface the core uses, and its winston implementation: logs go
 * to stderr (text or JSON lines), optionally also to a file.
 */
import winston from 'winston';

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

/** Formats fields as key=value pairs after the message, quoting values with spaces. */
function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([key, value]) => value !== undefined && !['level', 'message', 'timestamp'].includes(key))
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

/** Creates the process-wide logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const text = winston.format.printf((info) => {
    const fields = formatFields(info as LogFields);
    return `${String(info.timestamp)} ${info.level.toUpperCase()} ${String(info.message)}${fields ? ` ${fields}` : ''}`;
  });
  const format = winston.format.combine(
    winston.format.timestamp(),
    options.format === 'json' ? winston.format.json() : text,
  );
  const transports: winston.transport[] = [
    new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
  ];
  if (options.file) transports.push(new winston.transports.File({ filename: options.file }));
  return winston.createLogger({ level: options.level ?? 'info', format, transports });
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
