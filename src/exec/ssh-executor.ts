/**
 * SshExecutor: runs commands on one user@host:port over a small set of
 * persistent connections. Each connection carries at most
 * MAX_IN_FLIGHT_PER_CONNECTION commands (sshd's MaxSessions slot frees only
 * after the client sees a close, so 10 in flight loses commands); more
 * commands wait in a queue, and when slots stay taken (slow commands) more
 * connections open, up to MAX_CONNECTIONS_PER_HOST. Dead connections are replaced on the next command. Every failure to
 * reach the host is a RunResult with transportError, never an exception.
 *
 * With `ssh_runner` (the default) commands go through one remote runner
 * (ssh-runner.ts) on one of those connections, holding one of its slots for as
 * long as it lives: no sshd session per command. When it cannot start, commands
 * take exec channels as above and the runner is tried again after
 * RUNNER_RETRY_AFTER_MS.
 */
import type { Transport } from '../config/model.js';
import type { Executor, RunOptions, RunResult } from './executor.js';
import { SshConnection, describeTarget, type SshTarget, type WarnFn } from './ssh-connection.js';
import { TRANSPORT_REASONS, isTransientConnectError } from './ssh-errors.js';
import { runOnConnection } from './ssh-run.js';
import { RemoteRunner } from './ssh-runner.js';

export const MAX_IN_FLIGHT_PER_CONNECTION = 4;
export const MAX_CONNECTIONS_PER_HOST = 3;
/** With every slot taken and none freed for this long, another connection opens (up to MAX_CONNECTIONS_PER_HOST). */
export const EXTRA_CONNECTION_AFTER_MS = 200;
/** Extra connect attempts after a transient failure (refused, reset), and the pause before each. */
export const CONNECT_RETRIES = 2;
export const CONNECT_RETRY_DELAY_MS = 200;
/** After a host could not start the remote runner, how long its commands take exec channels before it is tried again. */
export const RUNNER_RETRY_AFTER_MS = 10 * 60_000;

export interface SshExecutorOptions {
  warn?: WarnFn;
  maxInFlightPerConnection?: number;
  maxConnections?: number;
}

/** A result for a command that never ran because the host could not be reached. */
export function transportFailure(reason: string, startedAt: number): RunResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    durationMs: Date.now() - startedAt,
    stdout: '',
    stderr: '',
    transportError: reason,
  };
}

/** Late refusals that arrive within this long of the first are logged as one line. */
const LATE_REPORT_GATHER_MS = 200;
/** Distinct commands a late-refusal line names (a burst repeats the same test). */
const LATE_COMMANDS_NAMED = 5;

export class SshExecutor implements Executor {
  readonly transport: Transport = 'ssh';
  readonly host: string;
  private connections: SshConnection[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;
  /** When a slot last freed or a connection opened. */
  private lastProgressAt = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  /** Late refusals gathered for one log line (noteLate). */
  private late: { count: number; minMs: number; maxMs: number; commands: Set<string> } | null = null;
  private readonly warn: WarnFn;
  private readonly maxInFlight: number;
  private readonly maxConnections: number;
  /** The remote runner, once one greeted (it may have ended since). */
  private runner: RemoteRunner | null = null;
  /** A runner's start in progress, shared by the commands that wait for it. */
  private runnerStart: Promise<RemoteRunner | { error: string } | null> | null = null;
  /** No runner before this time (the host could not start one). */
  private runnerRetryAt = 0;

  constructor(
    private readonly target: SshTarget,
    options: SshExecutorOptions = {},
  ) {
    this.host = target.host;
    this.warn = options.warn ?? ((message) => process.stderr.write(`ha-valet: warning: ${message}\n`));
    this.maxInFlight = options.maxInFlightPerConnection ?? MAX_IN_FLIGHT_PER_CONNECTION;
    this.maxConnections = options.maxConnections ?? MAX_CONNECTIONS_PER_HOST;
  }

  /** user@host:port. */
  get name(): string {
    return describeTarget(this.target);
  }

  /** Number of live connections (for tests and doctor). */
  get connectionCount(): number {
    return this.connections.filter((c) => c.alive).length;
  }

  /** True while commands go through a remote runner (for tests and doctor). */
  get usesRunner(): boolean {
    return this.runner?.usable ?? false;
  }

  /** The remote runner's program ('python' or 'perl'), '' when there is none. */
  get runnerProgram(): string {
    return this.usesRunner ? this.runner!.program : '';
  }

  /** Runs COMMAND on the host; resolves with its outcome, never rejects. */
  async run(command: string, options: RunOptions): Promise<RunResult> {
    const startedAt = Date.now();
    if (this.target.settings.runner && Date.now() >= this.runnerRetryAt) {
      const runner = await this.remoteRunner();
      if (runner && 'error' in runner) return transportFailure(runner.error, startedAt);
      if (runner) return runner.run(command, options, startedAt);
    }
    return this.runOnChannel(command, options, startedAt);
  }

  /** Runs COMMAND on an exec channel of its own. */
  private async runOnChannel(command: string, options: RunOptions, startedAt: number): Promise<RunResult> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return transportFailure('ssh executor closed', startedAt);
      const { connection, error } = await this.connectWithRetry();
      if (error) return transportFailure(error, startedAt);
      const outcome = await runOnConnection(connection, command, options, startedAt);
      this.release(connection);
      // The channel never opened (stale connection, session refused): the command did not run, so retry once.
      if (outcome.retryable && attempt === 0) continue;
      return outcome.result;
    }
  }

  /** Closes every connection (at most CLOSE_GRACE_MS for a dead host); later runs report a transport error. */
  async close(): Promise<void> {
    this.closed = true;
    this.runner?.close();
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const connections = this.connections;
    this.connections = [];
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(connections.map((connection) => connection.close()));
  }

  /**
   * The usable remote runner, started (once for concurrent callers) when there is
   * none; `{ error }` when the host cannot be reached; null when commands should
   * take exec channels (the runner cannot start there, or is busy starting anew).
   */
  private remoteRunner(): Promise<RemoteRunner | { error: string } | null> {
    if (this.runner?.usable) return Promise.resolve(this.runner);
    this.runnerStart ??= this.startRunner().finally(() => (this.runnerStart = null));
    return this.runnerStart;
  }

  /** Connects (or reuses a connection), starts the runner on it and waits for its greeting. */
  private async startRunner(): Promise<RemoteRunner | { error: string } | null> {
    const { connection, error } = await this.connectWithRetry();
    if (error) return { error };
    const runner = new RemoteRunner(connection, this.target.settings.connectTimeoutMs, (command, lateMs) =>
      this.noteLate(command, lateMs),
    );
    runner.onEnd(() => this.release(connection));
    const start = await runner.ready;
    if (start.ok) {
      this.runner = runner;
      if (this.closed) runner.close();
      return runner;
    }
    // The connection failed, or sshd refused the channel (sessions full): not the host's fault; next time.
    if (!connection.alive || start.reason.startsWith(TRANSPORT_REASONS.lost)) return null;
    this.runnerRetryAt = Date.now() + RUNNER_RETRY_AFTER_MS;
    this.warn(
      `ssh: no remote runner on ${this.name} (${start.reason}); each command opens its own channel ` +
        `(set ssh_runner = no to skip trying; tried again in ${RUNNER_RETRY_AFTER_MS / 60_000} min)`,
    );
    return null;
  }

  /**
   * Notes a command the runner refused because it arrived after we had reported its timeout;
   * those that arrive together (a link or a host back) are logged as one line.
   */
  private noteLate(command: string, lateMs: number): void {
    if (!this.late) {
      this.late = { count: 0, minMs: lateMs, maxMs: lateMs, commands: new Set() };
      setTimeout(() => this.reportLate(), LATE_REPORT_GATHER_MS).unref();
    }
    const late = this.late;
    late.count++;
    late.minMs = Math.min(late.minMs, lateMs);
    late.maxMs = Math.max(late.maxMs, lateMs);
    if (late.commands.size < LATE_COMMANDS_NAMED) late.commands.add(command);
  }

  private reportLate(): void {
    const late = this.late;
    this.late = null;
    if (!late) return;
    const one = late.count === 1;
    const how = one
      ? `a command reached ${this.name} ${late.maxMs} ms after its timeout had been reported`
      : `${late.count} commands reached ${this.name} ${late.minMs}–${late.maxMs} ms after their timeouts had been reported`;
    const named = [...late.commands].join(' | ');
    this.warn(
      `ssh: ${how} (a stalled link or a frozen host) and ${one ? 'was' : 'were'} not run there: ${named}`,
    );
  }

  /** Takes a slot on a ready connection, connecting again after transient failures (refused, reset). */
  private async connectWithRetry(): Promise<{ connection: SshConnection; error: string | null }> {
    for (let retry = 0; ; retry++) {
      const connection = await this.acquire();
      const error = await connection.ready;
      if (!error) return { connection, error };
      this.release(connection);
      if (retry >= CONNECT_RETRIES || !isTransientConnectError(error) || this.closed)
        return { connection, error };
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_DELAY_MS * (retry + 1)));
    }
  }

  /**
   * Takes a slot on a live connection. When all are full, a further
   * connection opens only if no slot has freed for EXTRA_CONNECTION_AFTER_MS
   * (slow or hung commands hold them): each connection costs a handshake and
   * keepalives, and quick commands turn slots over faster than that.
   */
  private async acquire(): Promise<SshConnection> {
    for (;;) {
      let best: SshConnection | undefined;
      let alive = 0;
      let connecting = false;
      let pruned = false;
      for (const connection of this.connections) {
        if (!connection.alive) {
          pruned ||= connection.inFlight === 0;
          continue;
        }
        alive += 1;
        connecting ||= !connection.connected;
        if (connection.inFlight < this.maxInFlight && (!best || connection.inFlight < best.inFlight)) {
          best = connection;
        }
      }
      if (pruned)
        this.connections = this.connections.filter((c) => c.alive || c.inFlight > 0 || this.drop(c));
      // A connection still logging in is not stalled: its commands have not started.
      const stalled = !connecting && Date.now() - this.lastProgressAt >= EXTRA_CONNECTION_AFTER_MS;
      if (!best && alive < this.maxConnections && (alive === 0 || stalled)) {
        best = new SshConnection(this.target, this.warn);
        this.connections.push(best);
        void best.ready.then(() => (this.lastProgressAt = Date.now()));
      }
      if (best) {
        best.inFlight += 1;
        return best;
      }
      if (alive < this.maxConnections) this.armStallTimer();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Wakes the first waiter after EXTRA_CONNECTION_AFTER_MS so it may open another connection. */
  private armStallTimer(): void {
    if (this.stallTimer) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.waiters.shift()?.();
    }, EXTRA_CONNECTION_AFTER_MS);
  }

  /** Closes a dead connection leaving the list (its socket may still be open); returns false for filter(). */
  private drop(connection: SshConnection): false {
    void connection.close();
    return false;
  }

  /** Frees the slot taken by acquire and wakes one waiter. */
  private release(connection: SshConnection): void {
    connection.inFlight -= 1;
    this.lastProgressAt = Date.now();
    if (!connection.alive && connection.inFlight === 0) {
      this.connections = this.connections.filter((c) => c !== connection || this.drop(c));
    }
    this.waiters.shift()?.();
  }
}
