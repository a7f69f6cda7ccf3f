/**
 * Executors run one shell command on one host and return its outcome as data.
 * A non-zero exit is a result, never an exception: exit codes are priorities.
 */
import type { Candidate, ProcessConfig, Transport } from '../config/model.js';

/** At most this much of each stream is kept for the log. */
export const OUTPUT_CAPTURE_BYTES = 4096;

export interface RunOptions {
  /** Kill the command (its whole process group, or the remote group) after this long. */
  timeoutMs: number;
  /** Extra environment variables for the command. */
  env?: Record<string, string>;
}

export interface RunResult {
  /** The exit code, or null when the command was killed by a signal or never ran. */
  exitCode: number | null;
  /** The signal that ended it, e.g. 'SIGKILL'. */
  signal: string | null;
  /** True when our own timeout ended it. */
  timedOut: boolean;
  durationMs: number;
  /** Captured output, cut to OUTPUT_CAPTURE_BYTES. */
  stdout: string;
  stderr: string;
  /**
   * Set when the command never ran because the host could not be reached:
   * connection refused, auth failure, 'host key mismatch', connect timeout.
   */
  transportError: string | null;
  /** A native test's own account of what it saw ('127.0.0.1:80 refused the connection', 'HTTP 503'). */
  note?: string;
}

/** Runs commands on one host. */
export interface Executor {
  readonly transport: Transport;
  readonly host: string;
  run(command: string, options: RunOptions): Promise<RunResult>;
}

/** What a pool needs to know of a process (or job) and one of its hosts. */
export type ExecOwner = Pick<ProcessConfig, 'name' | 'ssh'>;
export type ExecTarget = Pick<Candidate, 'host' | 'transport'>;

/** Hands out executors per candidate host and owns their connections. */
export interface ExecutorPool {
  forCandidate(process: ExecOwner, candidate: ExecTarget): Executor;
  /** Close every connection; idempotent. */
  closeAll(): Promise<void>;
}
