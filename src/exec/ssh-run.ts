/**
 * Runs one command on one ready connection and shapes the outcome as a
 * RunResult. On timeout the remote process group is killed from a second
 * channel (closing the channel alone leaves it running, re-parented to
 * init); the remote `timeout -s KILL` is the safety net.
 */
import type { RunOptions, RunResult } from './executor.js';
import { BoundedCapture } from './capture.js';
import { StderrWithMarker, buildKillCommand, buildRemoteCommand } from './ssh-command.js';
import type { SshConnection } from './ssh-connection.js';
import { TRANSPORT_REASONS } from './ssh-errors.js';

/** Grace for output still in flight after the remote shell exited (as the local executor). */
export const DRAIN_AFTER_EXIT_MS = 20;

/** After our timeout, how long to wait for the killed command's channel to close before giving up on it. */
export const CLOSE_WAIT_AFTER_KILL_MS = 3000;

type ExitListener = (code: number | null, signal?: string) => void;

export interface RunOutcome {
  result: RunResult;
  /** True when the command certainly did not start, so running it again is safe. */
  retryable: boolean;
}

/** Kills the remote process group PGID over a separate channel; never rejects. */
async function killRemoteGroup(connection: SshConnection, pgid: number | null): Promise<void> {
  if (pgid === null || !connection.alive) return;
  try {
    await connection.execCommand(buildKillCommand(pgid), {});
  } catch {
    // the connection is gone; the remote `timeout -s KILL` still ends the command
  }
}

/** True when an exec error says sshd refused the session but the connection itself is fine. */
function isSessionRefused(message: string): boolean {
  return /Channel open failure|open failed/i.test(message);
}

/** Runs COMMAND on CONNECTION with a timeout that ends the remote process too. */
export async function runOnConnection(
  connection: SshConnection,
  command: string,
  options: RunOptions,
  startedAt: number,
): Promise<RunOutcome> {
  const stdout = new BoundedCapture();
  const stderr = new StderrWithMarker();
  let remote: string;
  try {
    remote = buildRemoteCommand(command, options.timeoutMs, options.env);
  } catch (error) {
    const result = shape(null, null, false, startedAt, stdout, stderr, null);
    return { result: { ...result, stderr: (error as Error).message }, retryable: false };
  }
  let channel: { close(): unknown; on(event: 'exit', listener: ExitListener): unknown } | null = null;
  let exited: ((response: { code: number | null; signal: string | null }) => void) | null = null;
  // Done when the remote shell exits, not when its streams close: a daemon it started may keep them open.
  const exitSeen = new Promise<{ code: number | null; signal: string | null }>(
    (resolve) => (exited = resolve),
  );
  let timedOut = false;
  let giveUp: (() => void) | null = null;
  const abandoned = new Promise<'abandoned'>((resolve) => (giveUp = () => resolve('abandoned')));
  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setTimeout(() => {
      timedOut = true;
      void killRemoteGroup(connection, stderr.pgid);
      timers.push(
        setTimeout(() => {
          channel?.close();
          giveUp?.();
        }, CLOSE_WAIT_AFTER_KILL_MS),
      );
    }, options.timeoutMs),
  );
  try {
    const execution = connection.execCommand(remote, {
      onChannel: (c) => {
        channel = c;
        c.on('exit', (code: number | null, signal?: string) => {
          setTimeout(() => exited?.({ code: code ?? null, signal: signal ?? null }), DRAIN_AFTER_EXIT_MS);
        });
      },
      onStdout: (chunk) => stdout.push(chunk),
      onStderr: (chunk) => stderr.push(chunk),
    });
    const response = await Promise.race([execution, abandoned, exitSeen]);
    execution.catch(() => {}); // settled later when exit or abandon won the race
    (channel as { close(): unknown } | null)?.close();
    if (response === 'abandoned') {
      return { result: shape(null, null, true, startedAt, stdout, stderr, null), retryable: false };
    }
    const { code, signal } = response;
    const lost = code === null && signal === null && !timedOut;
    const transportError = lost ? `${TRANSPORT_REASONS.lost} while the command ran` : null;
    if (lost) connection.alive = false;
    return {
      result: shape(code, signal, timedOut, startedAt, stdout, stderr, transportError),
      retryable: false,
    };
  } catch (error) {
    // execCommand rejects only before the channel opened, so the command did not run.
    const message = (error as Error).message ?? String(error);
    if (!isSessionRefused(message)) connection.alive = false;
    const reason = `${TRANSPORT_REASONS.lost}: ${message}`;
    return { result: shape(null, null, false, startedAt, stdout, stderr, reason), retryable: true };
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

/** Builds the RunResult. */
function shape(
  exitCode: number | null,
  signal: string | null,
  timedOut: boolean,
  startedAt: number,
  stdout: BoundedCapture,
  stderr: StderrWithMarker,
  transportError: string | null,
): RunResult {
  return {
    exitCode,
    signal,
    timedOut,
    durationMs: Date.now() - startedAt,
    stdout: stdout.text(),
    stderr: stderr.text(),
    transportError,
  };
}
