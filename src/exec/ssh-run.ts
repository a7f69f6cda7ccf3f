/**
 * Runs one command on one ready connection and shapes the outcome as a
 * RunResult. On timeout the remote process group is killed from a second
 * channel (closing the channel alone leaves it running, re-parented to
 * init); the remote `timeout -s KILL` is the safety net.
 */
import type { RunOptions, RunResult } from './executor.js';
import { BoundedCapture } from './capture.js';
import { StderrWithMarker, buildKillCommand, buildRemoteCommand } from './ssh-command.js';
import type { ExecChannel, SshConnection } from './ssh-connection.js';
import { TRANSPORT_REASONS } from './ssh-errors.js';

/** Grace for output still in flight after the remote shell exited (as the local executor). */
export const DRAIN_AFTER_EXIT_MS = 20;

/** After our timeout, how long to wait for the killed command's channel to close before giving up on it. */
export const CLOSE_WAIT_AFTER_KILL_MS = 3000;

export interface RunOutcome {
  result: RunResult;
  /** True when the command certainly did not start, so running it again is safe. */
  retryable: boolean;
}

/** Kills the remote process group PGID over a separate channel; never throws. */
function killRemoteGroup(connection: SshConnection, pgid: number | null): void {
  if (pgid === null || !connection.alive) return;
  // If this fails the connection is gone; the remote `timeout -s KILL` still ends the command.
  connection.exec(buildKillCommand(pgid), (error, channel) => {
    if (!error) channel?.on('data', () => {});
  });
}

/**
 * ssh2's Channel.destroy() ends the writable side again after ssh2 itself
 * ended it on CHANNEL_CLOSE, and Node then builds (and drops) an
 * ERR_STREAM_ALREADY_FINISHED error with a stack trace for every command.
 * Closing is all destroy has left to do by then.
 */
function skipDoubleEnd(channel: ExecChannel): void {
  channel.destroy = function destroyByClosing(this: ExecChannel) {
    this.close();
    return this;
  };
}

/** True when an exec error says sshd refused the session but the connection itself is fine. */
function isSessionRefused(message: string): boolean {
  return /Channel open failure|open failed/i.test(message);
}

/** Runs COMMAND on CONNECTION with a timeout that ends the remote process too. */
export function runOnConnection(
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
    return Promise.resolve({ result: { ...result, stderr: (error as Error).message }, retryable: false });
  }
  return new Promise<RunOutcome>((resolve) => {
    let channel: ExecChannel | undefined;
    let timedOut = false;
    let done = false;
    let exit: { code: number | null; signal: string | null } | null = null;
    let drainTimer: NodeJS.Timeout | undefined;
    let giveUpTimer: NodeJS.Timeout | undefined;

    /** Settles once: closes the channel, clears the timers, shapes the result. */
    const finish = (outcome: RunOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timeoutTimer);
      clearTimeout(drainTimer);
      clearTimeout(giveUpTimer);
      channel?.close();
      resolve(outcome);
    };
    /** Finishes with the exit status seen (or none: the channel closed without one). */
    const finishWithExit = (): void => {
      const code = exit?.code ?? null;
      const signal = exit?.signal ?? null;
      const lost = code === null && signal === null && !timedOut;
      if (lost) connection.alive = false;
      const transportError = lost ? `${TRANSPORT_REASONS.lost} while the command ran` : null;
      finish({
        result: shape(code, signal, timedOut, startedAt, stdout, stderr, transportError),
        retryable: false,
      });
    };

    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      if (channel === undefined) {
        // sshd never confirmed the command (a dead link, a frozen host): there is nothing we could
        // kill or read, so waiting CLOSE_WAIT_AFTER_KILL_MS more would only delay the verdict. Had it
        // started after all, the remote `timeout -s KILL` ends it, and the late channel is closed.
        finish({ result: shape(null, null, true, startedAt, stdout, stderr, null), retryable: false });
        return;
      }
      killRemoteGroup(connection, stderr.pgid);
      giveUpTimer = setTimeout(
        () => finish({ result: shape(null, null, true, startedAt, stdout, stderr, null), retryable: false }),
        CLOSE_WAIT_AFTER_KILL_MS,
      );
    }, options.timeoutMs);

    connection.exec(remote, (error, opened) => {
      if (error || !opened) {
        // The channel never opened, so the command did not run.
        const message = error?.message ?? String(error);
        if (!isSessionRefused(message)) connection.alive = false;
        const reason = `${TRANSPORT_REASONS.lost}: ${message}`;
        finish({ result: shape(null, null, false, startedAt, stdout, stderr, reason), retryable: true });
        return;
      }
      channel = opened;
      if (done) {
        opened.close();
        return;
      }
      skipDoubleEnd(opened);
      opened.on('data', (chunk) => stdout.push(chunk));
      opened.stderr.on('data', (chunk) => stderr.push(chunk));
      // Done when the remote shell exits, not when its streams close: a daemon it started may keep them open.
      opened.on('exit', (code, signal) => {
        exit = { code: code ?? null, signal: signal ?? null };
        drainTimer = setTimeout(finishWithExit, DRAIN_AFTER_EXIT_MS);
      });
      opened.on('close', finishWithExit);
    });
  });
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
