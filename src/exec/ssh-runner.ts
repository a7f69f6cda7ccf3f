/**
 * The remote runner (issue 14): one long-lived exec channel per connection
 * running SSH_RUNNER_SCRIPT with Perl on the host, commands multiplexed over it
 * as protocol lines. sshd then forks no session and no login shell per
 * command; the runner forks `/bin/sh -c` in a new session, kills its group at
 * the timeout and captures its output itself.
 *
 * The runner's program is Python (posix_spawn) where the login's python3 is 3.8
 * or later, else Perl. The executor (ssh-executor.ts) starts one per host and
 * falls back to one exec channel per command when it cannot start (neither
 * interpreter, a restricted shell, a ForceCommand: the channel ends, or no
 * greeting comes within the connect timeout).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { LineBuffer } from './line-buffer.js';
import type { RunOptions, RunResult } from './executor.js';
import { BoundedCapture } from './capture.js';
import { checkEnvName, quoteShell } from './ssh-command.js';
import type { ExecChannel, SshConnection } from './ssh-connection.js';
import { CLOSE_WAIT_AFTER_KILL_MS } from './ssh-run.js';
import { CLOCK_PROBE_INTERVAL_MS, RunnerClock } from './runner-clock.js';
import { SSH_RUNNER_PYTHON_SCRIPT } from './ssh-runner-python-script.js';
import { SSH_RUNNER_SCRIPT } from './ssh-runner-script.js';
import { TRANSPORT_REASONS } from './ssh-errors.js';

/**
 * Commands in flight per runner (two pipes each, well under the Perl runner's select limit of
 * 1024 descriptors); more wait for a slot. Not exec channels: they cost the host several times
 * more, so a saturated host would only fall further behind.
 */
export const RUNNER_SLOTS = 256;
/** The runner's first line, followed by 'perl' or 'python' and its clock (runner-clock.ts). */
const GREETING = 'H hv-runner 2 ';
/** Commands given up on before the runner confirmed them, remembered to name one that arrives late. */
const GAVE_UP_REMEMBERED = 64;
/** Exits 0 when the host's python3 has what the Python runner needs (posix_spawn with setsid: 3.8). */
const PYTHON_USABLE =
  'import os, sys; sys.exit(not (sys.version_info >= (3, 8) and hasattr(os, "posix_spawn")))';

/** How a runner's start ended: ready, or why this host cannot use one. */
export type RunnerStart = { ok: true } | { ok: false; reason: string };

interface Pending {
  resolve(result: RunResult): void;
  startedAt: number;
  /** The runner confirmed it forked the command (`S`). */
  started: boolean;
  timer: NodeJS.Timeout;
  /** The command as sent (hex), its timeout and when it was sent (our clock), to send it again. */
  hex: string;
  timeoutMs: number;
  sentAt: number;
}

/** The command line sshd runs to start the runner: the Python one where python3 is usable, else Perl. */
export function runnerCommand(): string {
  const python = `python3 -c ${quoteShell(PYTHON_USABLE)} </dev/null >/dev/null 2>&1 && exec python3 -c ${quoteShell(SSH_RUNNER_PYTHON_SCRIPT)}`;
  return `${python}; exec perl -e ${quoteShell(SSH_RUNNER_SCRIPT)}`;
}

/** COMMAND with ENV exported first (names checked; values quoted). */
export function withEnv(command: string, env: Record<string, string> = {}): string {
  const exports = Object.entries(env).map(([name, value]) => {
    checkEnvName(name);
    return `export ${name}=${quoteShell(value)}\n`;
  });
  return exports.join('') + command;
}

/** Called when the runner refused a command that reached it after the watcher stopped waiting for it. */
export type LateCommandListener = (command: string, lateMs: number) => void;

export class RemoteRunner {
  /** Resolves once the runner greeted (ok), or could not start (its channel ended, or no greeting came in time). */
  readonly ready: Promise<RunnerStart>;
  private channel: ExecChannel | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly lines = new LineBuffer();
  private greeted = false;
  /** 'python' or 'perl' once it greeted. */
  program = '';
  private ended = false;
  private readonly stderr = new BoundedCapture();
  private settleStart: (start: RunnerStart) => void = () => undefined;
  private readonly endListeners: Array<() => void> = [];
  private readonly slotWaiters: Array<() => void> = [];
  /** The runner's clock, for each command's latest start. */
  private readonly clock = new RunnerClock();
  private probeTimer: NodeJS.Timeout | null = null;
  /** When we asked sshd to start the runner (our clock): the greeting's clock reading came after it. */
  private execAt = 0;
  /** Commands timed out before the runner confirmed them, by id (the newest GAVE_UP_REMEMBERED). */
  private readonly gaveUp = new Map<number, string>();

  constructor(
    readonly connection: SshConnection,
    greetingTimeoutMs: number,
    private readonly onLate: LateCommandListener = () => undefined,
  ) {
    this.ready = new Promise<RunnerStart>((resolve) => (this.settleStart = resolve));
    const timer = setTimeout(() => {
      const said = this.stderr.text().trim().split('\n')[0];
      this.end(`it did not greet within ${greetingTimeoutMs} ms${said ? ` (${said})` : ''}`);
    }, greetingTimeoutMs);
    void this.ready.then(() => clearTimeout(timer));
    this.execAt = performance.now();
    connection.exec(runnerCommand(), (error, channel) => {
      if (error || !channel) {
        this.end(`${TRANSPORT_REASONS.lost}: ${error?.message ?? 'no channel'}`);
        return;
      }
      this.channel = channel;
      if (this.ended) {
        channel.close();
        return;
      }
      channel.on('data', (chunk) => this.read(chunk));
      channel.stderr.on('data', (chunk) => this.stderr.push(chunk));
      channel.on('exit', (code, signal) => this.end(exitReason(code, signal, this.stderr.text())));
      channel.on('close', () => this.end('its channel closed'));
    });
  }

  /** True while it greeted and has not ended, on a live connection. */
  get usable(): boolean {
    return this.greeted && !this.ended && this.connection.alive;
  }

  /** Calls LISTENER once when the runner ends (at once if it has). */
  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  /**
   * Runs COMMAND through the runner; resolves with its outcome, never rejects.
   * At the timeout the runner kills the command's group itself and answers with
   * what it captured; a command it never confirmed is reported at the timeout
   * (a cut link, a frozen host), one it confirmed is waited for at most
   * CLOSE_WAIT_AFTER_KILL_MS more.
   */
  async run(command: string, options: RunOptions, startedAt: number): Promise<RunResult> {
    let line: string;
    try {
      line = withEnv(command, options.env);
    } catch (error) {
      return result(null, null, false, startedAt, '', (error as Error).message, null);
    }
    // All slots taken: wait for one (the timeout runs from the send, as an exec channel's from its open).
    while (this.pending.size >= RUNNER_SLOTS && !this.ended) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    if (this.ended) {
      return result(
        null,
        null,
        false,
        startedAt,
        '',
        '',
        `${TRANSPORT_REASONS.lost}: the remote runner ended`,
      );
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timedOut = (): void => {
        this.forget(id);
        resolve(result(null, null, true, startedAt, '', '', null));
      };
      const timer = setTimeout(() => {
        const entry = this.pending.get(id);
        if (!entry) return;
        if (!entry.started) {
          this.rememberGaveUp(id, command);
          return timedOut();
        }
        entry.timer = setTimeout(timedOut, CLOSE_WAIT_AFTER_KILL_MS);
      }, options.timeoutMs);
      const hex = Buffer.from(line).toString('hex');
      const timeout = Math.max(1, Math.round(options.timeoutMs));
      const sentAt = performance.now();
      this.pending.set(id, { resolve, startedAt, started: false, timer, hex, timeoutMs: timeout, sentAt });
      // Not run if it reaches the runner after we stop waiting for it (a stalled link, a frozen host).
      const latest = this.clock.latestStart(sentAt, timeout) ?? Number.MAX_SAFE_INTEGER;
      this.write(`R ${id} ${timeout} ${hex} ${latest}\n`);
    });
  }

  /** Keeps the text of a command given up on unconfirmed, to name it if the runner says it came late. */
  private rememberGaveUp(id: number, command: string): void {
    this.gaveUp.set(id, command.length > 200 ? `${command.slice(0, 200)}…` : command);
    if (this.gaveUp.size > GAVE_UP_REMEMBERED) this.gaveUp.delete(this.gaveUp.keys().next().value as number);
  }

  /** Drops a settled command and wakes one waiting for a slot. */
  private forget(id: number): void {
    this.pending.delete(id);
    this.slotWaiters.shift()?.();
  }

  /** Ends the runner's channel: the runner stops reading and exits once its commands are done. */
  close(): void {
    this.end('closed');
  }

  private write(text: string): void {
    this.channel?.write(text);
  }

  /** Parses complete reply lines. */
  private read(chunk: Buffer): void {
    this.lines.push(chunk.toString('latin1'), (line) => {
      if (!this.greeted) {
        // A login script may print first; what it said is the reason if no greeting follows.
        if (!line.startsWith(GREETING)) {
          if (this.stderr.text() === '') this.stderr.push(`${line.slice(0, 200)}\n`);
          return;
        }
        const [program = '', now] = line.slice(GREETING.length).split(' ');
        this.greeted = true;
        this.program = program;
        // The greeting's clock bounds the offset loosely (it includes the runner's start-up); a probe tightens it.
        this.clock.observe(this.execAt, Number(now));
        this.probeClock();
        this.probeTimer = setInterval(() => this.probeClock(), CLOCK_PROBE_INTERVAL_MS);
        this.probeTimer.unref();
        this.settleStart({ ok: true });
        return;
      }
      this.answer(line.split(' '));
    });
  }

  /** Asks the runner for its clock; the answer is a `T` line with our send time back. */
  private probeClock(): void {
    this.write(`T ${Math.floor(performance.now())}\n`);
  }

  /** Handles one `T`, `L`, `S`, `D` or `F` line. */
  private answer(fields: string[]): void {
    if (fields[0] === 'T') {
      // Our send time (floored: the bound only gets looser) and the runner's time at the answer.
      this.clock.observe(Number(fields[1]), Number(fields[2]));
      return;
    }
    const id = Number(fields[1]);
    const entry = this.pending.get(id);
    if (fields[0] === 'L') return this.refusedLate(id, entry, Number(fields[2]));
    if (!entry) return;
    if (fields[0] === 'S') {
      entry.started = true;
      return;
    }
    this.forget(id);
    clearTimeout(entry.timer);
    if (fields[0] === 'F') {
      const reason = `could not run /bin/sh: ${decode(fields[2]).toString()}`;
      entry.resolve(result(null, null, false, entry.startedAt, '', reason, reason));
      return;
    }
    const [, , code, signal, timedOut, , stdout, stderr] = fields;
    entry.resolve(
      result(
        Number(code) >= 0 ? Number(code) : null,
        Number(signal) > 0 ? signalName(Number(signal)) : null,
        timedOut === '1',
        entry.startedAt,
        decode(stdout),
        decode(stderr),
        null,
      ),
    );
  }

  /**
   * The runner refused command ID as arriving past its latest start. Given up on already: the
   * executor hears of it (logged). Still awaited: our bound on the runner's clock is wrong (this
   * machine's monotonic clock stood still, suspended), so it is forgotten and the command sent again
   * with the time it has left and no latest start; with none left, it is reported as timed out.
   */
  private refusedLate(id: number, entry: Pending | undefined, lateMs: number): void {
    if (!entry) {
      const command = this.gaveUp.get(id) ?? '(an older command)';
      this.gaveUp.delete(id);
      if (id > 0 && id < this.nextId) this.onLate(command, lateMs);
      return;
    }
    this.clock.reset();
    this.probeClock();
    const left = Math.round(entry.timeoutMs - (performance.now() - entry.sentAt));
    if (left >= 1) {
      this.write(`R ${id} ${left} ${entry.hex} ${Number.MAX_SAFE_INTEGER}\n`);
      return;
    }
    this.forget(id);
    clearTimeout(entry.timer);
    const reason = `the command reached the host ${lateMs} ms after its timeout and was not run`;
    entry.resolve(result(null, null, true, entry.startedAt, '', reason, null));
  }

  /**
   * Ends the runner once: before the greeting this host cannot use one (REASON
   * says why); after it, the commands in flight lost their connection.
   */
  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.channel?.close();
    if (!this.greeted) this.settleStart({ ok: false, reason });
    const lost = `${TRANSPORT_REASONS.lost} while the command ran (remote runner: ${reason})`;
    for (const wake of this.slotWaiters.splice(0)) wake();
    for (const [id, entry] of [...this.pending]) {
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.resolve(result(null, null, false, entry.startedAt, '', '', lost));
    }
    for (const listener of this.endListeners.splice(0)) listener();
  }
}

/** Why the runner's channel ended before it greeted. */
function exitReason(code: number | null, signal: string | undefined, stderr: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with ${code ?? 'no status'}`;
  const said = stderr.trim().split('\n')[0];
  return `it ${how}${said ? ` (${said})` : ''}`;
}

/** Hex to bytes ('-' is empty). */
function decode(hex: string | undefined): Buffer {
  return !hex || hex === '-' ? Buffer.alloc(0) : Buffer.from(hex, 'hex');
}

/** 'SIGKILL' for 9. */
function signalName(signal: number): string {
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === signal);
  return entry ? entry[0] : `signal ${signal}`;
}

/** The RunResult; output is cut to OUTPUT_CAPTURE_BYTES with the usual marker. */
function result(
  exitCode: number | null,
  signal: string | null,
  timedOut: boolean,
  startedAt: number,
  stdout: Buffer | string,
  stderr: Buffer | string,
  transportError: string | null,
): RunResult {
  const cut = (bytes: Buffer | string): string => {
    const capture = new BoundedCapture();
    capture.push(bytes);
    return capture.text();
  };
  return {
    exitCode,
    signal,
    timedOut,
    durationMs: Date.now() - startedAt,
    stdout: cut(stdout),
    stderr: cut(stderr),
    transportError,
  };
}
