/**
 * Runs shell commands through long-lived helper processes (the Python or Perl
 * program chosen by choose-spawn-helper.ts) instead of forking the watcher: the
 * same result (exit code, signal, timeout, capped output, process-group kill) at
 * a fraction of the CPU. Both programs speak one protocol
 * (spawn-helper-script.ts); this client is shared. Helpers start on first use,
 * at most HELPER_SLOTS commands in flight each; another helper starts when all
 * are busy. `isAvailable()` turns false when the program cannot run here (not
 * found, or it exited before answering anything): callers then choose again.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { SpawnProgram } from './choose-spawn-helper.js';
import type { RunResult } from './executor.js';
import { LineBuffer } from './line-buffer.js';

/** Commands in flight per helper (two pipes each: well under 1024, select's limit and the usual open-file limit). */
const HELPER_SLOTS = 256;
/** How long past a command's own timeout the watcher waits for a helper before giving up on it. */
const HELPER_GRACE_MS = 5000;

const OUTPUT_CUT = '[output cut at 4096 bytes]';

type Pending = { resolve(result: RunResult): void; timer: NodeJS.Timeout; started: number };

/** One helper process and its commands in flight. */
class Helper {
  readonly pending = new Map<number, Pending>();
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines = new LineBuffer();
  dead = false;
  /** Whether any reply came (a helper that dies before its first cannot run here). */
  answered = false;
  /** Whether we closed it (its exit then says nothing about the program). */
  closing = false;

  constructor(
    program: SpawnProgram,
    private readonly onDeath: (helper: Helper, error?: Error) => void,
  ) {
    this.child = spawn(program.command, program.args, { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.read(chunk));
    this.child.on('error', (error) => this.die(error));
    this.child.on('exit', () => this.die());
    this.child.stdin.on('error', () => undefined);
    this.holdProcessOpen(false);
  }

  /** Sends one command. */
  send(id: number, command: string, timeoutMs: number, pending: Pending): void {
    this.pending.set(id, pending);
    this.holdProcessOpen(true);
    this.child.stdin.write(
      `R ${id} ${Math.max(1, Math.round(timeoutMs))} ${Buffer.from(command).toString('hex')}\n`,
    );
  }

  /** Forgets a command (answered, or given up on). */
  settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.holdProcessOpen(false);
    return entry;
  }

  /** An idle helper must not keep Node running (it exits with our stdin); a busy one must. */
  private holdProcessOpen(hold: boolean): void {
    const handles = [this.child, this.child.stdout, this.child.stdin] as Array<{
      ref?(): void;
      unref?(): void;
    }>;
    for (const handle of handles) (hold ? handle.ref : handle.unref)?.call(handle);
  }

  /** The helper's PID (for benchmarks that read its CPU time). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Closes stdin: the helper exits (what still runs is left running). */
  close(): void {
    this.closing = true;
    this.child.stdin.end();
  }

  /** Parses complete reply lines. */
  private read(chunk: string): void {
    this.lines.push(chunk, (line) => {
      const fields = line.split(' ');
      this.answered = true;
      const entry = this.settle(Number(fields[1]));
      if (!entry) return;
      clearTimeout(entry.timer);
      entry.resolve(parseReply(fields, entry.started));
    });
  }

  /** Fails what is in flight (as a transport problem: the check said nothing) and reports the death. */
  private die(error?: Error): void {
    if (this.dead) return;
    this.dead = true;
    for (const [id, entry] of [...this.pending]) {
      this.settle(id);
      clearTimeout(entry.timer);
      entry.resolve(failure(`spawn helper ended (${error?.message ?? 'exited'})`, entry.started));
    }
    this.onDeath(this, error);
  }
}

/** A pool of helpers running one program, shared by every LocalExecutor of the process. */
export class SpawnHelperPool {
  private helpers: Helper[] = [];
  private nextId = 1;
  private unavailable = false;

  constructor(readonly program: SpawnProgram) {}

  /** False once the program was not found or not executable, or exited before answering anything. */
  isAvailable(): boolean {
    return !this.unavailable;
  }

  /** Runs `command` with /bin/sh in its own process group; never rejects. */
  run(command: string, timeoutMs: number): Promise<RunResult> {
    const started = performance.now();
    const helper = this.helperWithRoom();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        helper.settle(id);
        resolve(failure(`spawn helper did not answer within ${timeoutMs + HELPER_GRACE_MS} ms`, started));
      }, timeoutMs + HELPER_GRACE_MS).unref();
      helper.send(id, command, timeoutMs, { resolve, timer, started });
    });
  }

  /** PIDs of the running helpers. */
  pids(): number[] {
    return this.helpers.flatMap((h) => (h.pid === undefined ? [] : [h.pid]));
  }

  /** Stops every helper (commands in flight are left running). */
  close(): void {
    for (const helper of this.helpers) helper.close();
    this.helpers = [];
  }

  /** A live helper with a free slot, started when there is none. */
  private helperWithRoom(): Helper {
    const free = this.helpers.find((h) => !h.dead && h.pending.size < HELPER_SLOTS);
    if (free) return free;
    const helper = new Helper(this.program, (dead, error) => {
      this.helpers = this.helpers.filter((h) => h !== dead);
      // Not found, not executable, or gone before its first answer: the program cannot run here.
      // A passing failure to start (EAGAIN, ENOMEM) only fails the commands of that helper.
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT' || code === 'EACCES' || (!error && !dead.answered && !dead.closing)) {
        this.unavailable = true;
      }
    });
    this.helpers.push(helper);
    return helper;
  }
}

/** Decodes a `D` or `F` reply line. */
function parseReply(fields: string[], started: number): RunResult {
  if (fields[0] === 'F') return failure(`could not run /bin/sh: ${decode(fields[2])}`, started);
  const [, , code, signal, timedOut, , stdout, stderr] = fields;
  const signalNumber = Number(signal);
  return {
    exitCode: Number(code) >= 0 ? Number(code) : null,
    signal: signalNumber > 0 ? signalName(signalNumber) : null,
    timedOut: timedOut === '1',
    durationMs: Math.round(performance.now() - started),
    stdout: withCut(decode(stdout)),
    stderr: withCut(decode(stderr)),
    transportError: null,
  };
}

/** Hex to text ('-' is empty). */
function decode(hex: string | undefined): string {
  return !hex || hex === '-' ? '' : Buffer.from(hex, 'hex').toString('utf8');
}

/** Marks output that reached the cap as cut, as BoundedCapture does. */
function withCut(text: string): string {
  return Buffer.byteLength(text) >= 4096 ? `${text}\n${OUTPUT_CUT}` : text;
}

/** 'SIGKILL' for 9. */
function signalName(signal: number): string {
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === signal);
  return entry ? entry[0] : `signal ${signal}`;
}

/** A result for a command that never ran (or whose helper vanished). */
function failure(reason: string, started: number): RunResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    durationMs: Math.round(performance.now() - started),
    stdout: '',
    stderr: reason,
    transportError: reason,
  };
}
