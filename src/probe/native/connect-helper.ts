/**
 * Plain `tcp://` checks (connect, nothing sent or expected) made by one
 * long-lived Python helper (connect-helper-script.ts) instead of Node's
 * sockets: the same outcomes (connected → up, refused/reset → down, no answer
 * within test_timeout → timeout, no route → unreachable) at a fraction of the
 * watcher's CPU and memory. Started on first use; without Python 3 (or with
 * `HA_VALET_NATIVE_TCP=node`), or once it could not be started, `connect()`
 * returns null and the caller connects from Node as before.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CONNECT_HELPER_SCRIPT } from './connect-helper-script.js';
import { findPython3 } from '../../exec/choose-spawn-helper.js';
import { LineBuffer } from '../../exec/line-buffer.js';

/** Checks asked within this many ms go to the helper in one write (one wake-up on each side). */
const BATCH_MS = 5;
/** How long past a check's own timeout the watcher waits for the helper before giving up on it. */
const HELPER_GRACE_MS = 2000;

/** What the helper said: `OK`, `T` (timed out) or an errno name; `null` = the helper failed. */
export interface ConnectAnswer {
  result: string | null;
  durationMs: number;
  /** Why the helper could not answer (when result is null). */
  problem?: string;
}

type Pending = { resolve(answer: ConnectAnswer): void; timer: NodeJS.Timeout; started: number };

/** Where the lines about watched checks go (tcp-watch.ts), and who hears that the helper ended. */
export interface WatchSink {
  /** An `R`, `L` or `N` line (connect-helper-script.ts). */
  line(line: string): void;
  /** The helper ended: every watch is gone. */
  lost(): void;
}

export class ConnectHelper {
  private child: ChildProcessByStdio<Writable, Readable, null> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly lines = new LineBuffer();
  /** Whether the running helper has answered a check yet. */
  private answered = false;
  private queued: string[] = [];
  private unavailable: boolean;
  private readonly python: string | null;
  private watchSink: WatchSink | null = null;
  /** Watches the running helper holds (they keep Node running, as checks in flight do). */
  private watches = 0;

  constructor(python: string | null = findPython3()?.path ?? null) {
    this.python = python;
    this.unavailable = this.python === null;
  }

  /** Connects to ip:port through the helper; null when the helper cannot be used (connect from Node). */
  connect(ip: string, port: number, timeoutMs: number): Promise<ConnectAnswer> | null {
    const child = this.unavailable ? null : (this.child ?? this.startChild());
    if (!child) return null;
    const id = this.nextId++;
    const started = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle(id);
        resolve({
          result: null,
          durationMs: Math.round(performance.now() - started),
          problem: 'connect helper did not answer',
        });
        // A helper that stopped answering is ended: the next check starts a new one.
        this.child?.kill('SIGKILL');
      }, timeoutMs + HELPER_GRACE_MS);
      this.pending.set(id, { resolve, timer, started });
      this.holdProcessOpen(true);
      this.enqueue(`${id} ${Math.max(1, Math.round(timeoutMs))} ${ip} ${port}\n`);
    });
  }

  /** Sends the lines of watched checks and the helper's end to `sink` (one sink per helper). */
  setWatchSink(sink: WatchSink | null): void {
    this.watchSink = sink;
  }

  /**
   * Sends a watch command now (W, H, U: connect-helper-script.ts), starting the helper if
   * needed; false when the helper cannot be used. `watches` is how many watches it holds after.
   */
  command(line: string, watches: number): boolean {
    const child = this.unavailable ? null : (this.child ?? this.startChild());
    if (!child) return false;
    this.watches = watches;
    this.holdProcessOpen(this.pending.size > 0 || watches > 0);
    this.enqueue(`${line}\n`);
    return true;
  }

  /** The helper's PID, when it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Queues a line for the helper: lines asked within BATCH_MS go in one write. */
  private enqueue(line: string): void {
    if (this.queued.push(line) === 1) setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    const lines = this.queued.join('');
    this.queued = [];
    this.child?.stdin.write(lines);
  }

  private startChild(): ChildProcessByStdio<Writable, Readable, null> | null {
    try {
      const child = spawn(this.python!, ['-I', '-S', '-c', CONNECT_HELPER_SCRIPT], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => this.read(chunk));
      child.on('error', () => this.die(child, true));
      // A helper that ended before answering anything cannot run here (a broken interpreter):
      // give up on it for good rather than start one per check.
      child.on('exit', () => this.die(child, !this.answered));
      child.stdin.on('error', () => undefined);
      this.child = child;
      this.answered = false;
      this.holdProcessOpen(false);
      return child;
    } catch {
      this.unavailable = true;
      return null;
    }
  }

  /** An idle helper must not keep Node running (it exits with our stdin); a busy one must. */
  private holdProcessOpen(hold: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdout, child.stdin] as Array<{ ref?(): void; unref?(): void }>)
      (hold ? handle.ref : handle.unref)?.call(handle);
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0 && this.watches === 0) this.holdProcessOpen(false);
    return entry;
  }

  private read(chunk: string): void {
    this.answered = true;
    this.lines.push(chunk, (line) => {
      // Lines about watched checks begin with a letter, answers to single checks with their id.
      if (line.charCodeAt(0) >= 65) {
        this.watchSink?.line(line);
        return;
      }
      const [id, result, ms] = line.split(' ');
      const entry = this.settle(Number(id));
      if (!entry || result === undefined) return;
      clearTimeout(entry.timer);
      entry.resolve({ result, durationMs: Number(ms) });
    });
  }

  /**
   * The helper ended: what is in flight fails (the caller connects from Node instead), and
   * the next check starts a new helper — unless this one could not run at all (`give up`).
   */
  private die(child: ChildProcessByStdio<Writable, Readable, null>, giveUp: boolean): void {
    if (this.child !== child) return;
    this.child = null;
    this.lines.clear();
    // Lines for the dead helper (its watches' commands, checks just asked) must not reach the
    // next one: the checks are answered below, the watches end with lost().
    this.queued = [];
    if (giveUp) this.unavailable = true;
    this.watches = 0;
    this.watchSink?.lost();
    for (const [id, entry] of [...this.pending]) {
      this.settle(id);
      clearTimeout(entry.timer);
      entry.resolve({
        result: null,
        durationMs: Math.round(performance.now() - entry.started),
        problem: 'connect helper ended',
      });
    }
  }

  /** Whether checks go through the helper (false: Node connects). */
  get usable(): boolean {
    return !this.unavailable;
  }

  /** Stops the helper (checks in flight are answered as helper failures). */
  close(): void {
    this.child?.stdin.end();
  }

  /** Ends a helper that stopped answering (the next use starts a new one). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}

let shared: ConnectHelper | null = null;
const disabled = new ConnectHelper(null);

/** The process-wide connect helper (a disabled one while `HA_VALET_NATIVE_TCP=node`). */
export function connectHelper(): ConnectHelper {
  if (process.env.HA_VALET_NATIVE_TCP === 'node') return disabled;
  shared ??= new ConnectHelper();
  return shared;
}

/** PIDs of the running connect helper (for benchmarks). */
export function connectHelperPids(): number[] {
  const pid = shared?.pid;
  return pid === undefined ? [] : [pid];
}
