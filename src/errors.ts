/**
 * Typed errors with the exit status the CLI maps them to. The CLI entry is the
 * only place that turns them into output and an exit code.
 */
import type { Diagnostic } from './config/model.js';

export const EXIT_OK = 0;
export const EXIT_NOT_UP = 1;
export const EXIT_USAGE = 2;
export const EXIT_LOCKED = 3;

/** Base class: a message a user can act on, and an exit status. */
export class HaValetError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The config file is missing, unreadable or invalid. Exit 2, nothing runs. */
export class ConfigError extends HaValetError {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message, EXIT_USAGE);
  }
}

/** Wrong command-line usage (unknown -p name, bad flag value). Exit 2. */
export class UsageError extends HaValetError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

/** Another pass holds the lock. Exit 3. */
export class LockHeldError extends HaValetError {
  constructor(
    message: string,
    readonly holderPid: number | null,
  ) {
    super(message, EXIT_LOCKED);
  }
}

/** The state directory cannot be read or written (disk full, permissions, read-only). Exit 1. */
export class StateStoreError extends HaValetError {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string | undefined = undefined,
  ) {
    super(message, 1);
  }
}
