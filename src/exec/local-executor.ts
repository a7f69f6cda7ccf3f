/**
 * Runs shell commands on this machine. Each command gets its own process group
 * so a timeout kills everything it started; a command is done when its shell
 * exits, even if a daemon it started keeps stdout open.
 *
 * Built on node:child_process rather than execa: importing execa@9 costs more
 * than a whole bare Node start (measured in bench/pass-time.ts, BENCHMARKS.md),
 * and a cron pass must start fast. The result keeps execa's shape (a failed
 * command is data: exit code, signal, timedOut, duration).
 */
import { spawn } from 'node:child_process';
import type { Executor, RunOptions, RunResult } from './executor.js';
import { BoundedCapture } from './capture.js';
import { currentSpawnHelpers } from './spawn-mode.js';

export { setSpawnLog, spawnHelperPids, spawnMode } from './spawn-mode.js';

/** Grace for output still in the pipe after the shell exited, when something else holds the pipe open. */
const DRAIN_AFTER_EXIT_MS = 20;

/** Kills a whole process group, ignoring one that is already gone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

export class LocalExecutor implements Executor {
  readonly transport = 'local' as const;

  constructor(readonly host: string) {}

  /**
   * Runs `command` with /bin/sh; never throws for a failed command. Through a
   * spawn helper (bench/spawn-cost.ts: far cheaper than forking Node), except
   * when extra environment variables are asked for or none can run here.
   */
  run(command: string, options: RunOptions): Promise<RunResult> {
    const helpers = options.env ? null : currentSpawnHelpers();
    if (helpers) return helpers.run(command, options.timeoutMs);
    return runDirect(command, options);
  }
}

/** Spawns /bin/sh from Node itself. */
function runDirect(command: string, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const stdout = new BoundedCapture();
  const stderr = new BoundedCapture();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let drainTimer: NodeJS.Timeout | undefined;
    let drainPoll: NodeJS.Immediate | undefined;
    /**
     * After the exit: finish once no output has come for DRAIN_AFTER_EXIT_MS (a daemon may hold
     * the pipes), and only after one more I/O poll: a busy event loop runs an expired timer before
     * reading output that was already in the pipes.
     */
    const armDrain = (): void => {
      clearTimeout(drainTimer);
      clearImmediate(drainPoll);
      drainTimer = setTimeout(() => {
        drainPoll = setImmediate(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(exited?.code ?? null, exited?.signal ?? null);
        }).unref();
      }, DRAIN_AFTER_EXIT_MS).unref();
    };
    const collect =
      (capture: BoundedCapture) =>
      (chunk: Buffer): void => {
        capture.push(chunk);
        if (exited) armDrain();
      };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs);
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      clearImmediate(drainPoll);
      if (timedOut) killGroup(child.pid, 'SIGKILL');
      resolve({
        exitCode,
        signal,
        timedOut,
        durationMs: Math.round(performance.now() - started),
        stdout: stdout.text(),
        stderr: spawnError ? spawnError.message : stderr.text(),
        transportError: spawnError ? `could not run /bin/sh: ${spawnError.message}` : null,
      });
    };
    child.on('error', (error) => finish(null, null, error));
    // Done when the shell has exited and its output is drained ('close'), or DRAIN_AFTER_EXIT_MS
    // after the exit if a backgrounded daemon keeps the streams open.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      armDrain();
    });
  });
}
