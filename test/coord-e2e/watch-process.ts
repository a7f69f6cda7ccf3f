/**
 * Pieces of the issue-7 end-to-end world that are not about its setup: a
 * `ha-valet watch` child process with its parsed log, a sampler of the demo
 * servers, polling and /proc helpers.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import readline from 'node:readline';

/** The CLI arguments of `ha-valet watch` as the end-to-end suites run it: JSON logs at debug level. */
export function watchArgs(cliMain: string, configPath: string, intervalSeconds: number): string[] {
  return [
    cliMain,
    '-c',
    configPath,
    '--log-format',
    'json',
    '--log-level',
    'debug',
    'watch',
    '--interval',
    String(intervalSeconds),
  ];
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One parsed log line of a watcher (winston JSON), or its raw text. */
export interface LogLine {
  level?: string;
  message: string;
  at: number;
  [field: string]: unknown;
}

/** A running `ha-valet watch` child process. */
export class WatchProcess {
  readonly lines: LogLine[] = [];
  private readonly exited: Promise<void>;

  constructor(
    readonly tag: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    readline.createInterface({ input: child.stderr! }).on('line', (text) => {
      const at = Date.now();
      try {
        this.lines.push({ ...(JSON.parse(text) as LogLine), at });
      } catch {
        this.lines.push({ message: text, at });
      }
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The watcher id the coordinator gives it (hostname:pid). */
  get id(): string {
    return `${os.hostname()}:${this.pid}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines whose message matches `pattern`, optionally only those logged after `since`. */
  matching(pattern: RegExp, since = 0): LogLine[] {
    return this.lines.filter((l) => l.at >= since && pattern.test(l.message));
  }

  /** Whether this watcher leads now, by its own log (the newest role line). */
  get leads(): boolean {
    const roles = this.matching(/^(leading|following):/);
    return roles.at(-1)?.message.startsWith('leading') ?? false;
  }

  /** The whole log, for assertion messages. */
  text(): string {
    return this.lines.map((l) => `${new Date(l.at).toISOString()} ${l.level ?? ''} ${l.message}`).join('\n');
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) process.kill(this.pid, signal);
  }

  /** SIGKILL, and wait for the exit. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (after SIGCONT), SIGKILL when it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Samples the demo servers every 150 ms and remembers the most up at once. */
export class ActiveMonitor {
  maxUp = 0;
  /** Samples with more than one server up: [time, hosts]. */
  readonly doubles: Array<[number, string[]]> = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly sample: () => Promise<string[]>) {
    this.loop = this.run();
  }

  /** Samples until stopped. */
  private async run(): Promise<void> {
    while (this.running) {
      const up = await this.sample();
      this.maxUp = Math.max(this.maxUp, up.length);
      if (up.length > 1) this.doubles.push([Date.now(), up]);
      await sleep(150);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** Polls `check` every 100 ms until it returns a truthy value; throws `describe()` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  describe: () => string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(100);
  }
}

/** The one watcher that logs itself as leading; throws when several do. */
export function leaderOf(watchers: WatchProcess[]): WatchProcess | null {
  const leading = watchers.filter((w) => w.alive && w.leads);
  if (leading.length > 1) throw new Error(`several watchers lead: ${leading.map((w) => w.tag).join(', ')}`);
  return leading[0] ?? null;
}

/** Every log of every watcher, for assertion messages. */
export function logsOf(watchers: WatchProcess[]): string {
  return watchers.map((w) => `--- ${w.tag} (pid ${w.pid}) ---\n${w.text()}`).join('\n');
}

/**
 * PIDs of the descendants of `pid` (from /proc): its commands, which run under
 * the spawn helper (a child of the watcher), and the helper itself.
 */
export async function childrenOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone */
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}
