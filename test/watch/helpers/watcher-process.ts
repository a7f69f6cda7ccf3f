/**
 * `ha-valet watch` as a real child process: its log, waiting for log lines,
 * signals by PID, and a stop that always ends it (SIGTERM, then SIGKILL).
 */
import { spawn } from 'node:child_process';
import { cliMain } from '../../helpers/paths.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WatcherProcess {
  pid: number;
  /** Everything it wrote so far (stdout and stderr). */
  log(): string;
  /** Resolves with the log once `pattern` matches text written after `from` (a log() length). */
  waitForLog(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  /** Sends `signal` to the watcher's PID. */
  signal(signal: NodeJS.Signals): void;
  exited: Promise<Exit>;
  /** SIGTERM, then SIGKILL if still running after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<Exit>;
}

/** Starts `ha-valet -c CONFIG watch ARGS...`. */
export function startWatcher(configPath: string, args: string[] = []): WatcherProcess {
  const child = spawn(process.execPath, [cliMain, '-c', configPath, 'watch', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  const watcher: WatcherProcess = {
    pid: child.pid!,
    log: () => text,
    waitForLog(pattern, { from = 0, timeoutMs = 30_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(text.slice(from))) finish(() => resolve(text));
          else if (done)
            finish(() => reject(new Error(`watcher exited before logging ${pattern}:\n${text}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`no ${pattern} in the watcher's log within ${timeoutMs} ms:\n${text}`)),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    signal(signal) {
      if (!done) process.kill(watcher.pid, signal);
    },
    exited,
    async stop(graceMs = 10_000) {
      watcher.signal('SIGTERM');
      const timer = setTimeout(() => watcher.signal('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return watcher;
}
