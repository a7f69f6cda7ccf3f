/**
 * Runs shell commands on this machine through execa. Each command gets its own
 * process group so a timeout kills everything it started; a command is done when
 * its shell exits, even if a daemon it started keeps stdout open.
 */
import type { Executor, RunOptions, RunResult } from './executor.js';
import { BoundedCapture } from './capture.js';

/** Grace for output still in the pipe after the shell exited. */
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

  /** Runs `command` with /bin/sh; never throws for a failed command. */
  async run(command: string, options: RunOptions): Promise<RunResult> {
    const { execa } = await import('execa');
    const started = performance.now();
    const stdout = new BoundedCapture();
    const stderr = new BoundedCapture();
    const child = execa(command, {
      shell: '/bin/sh',
      reject: false,
      buffer: false,
      detached: true,
      stdin: 'ignore',
      env: options.env,
      cleanup: true,
    });
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs);
    // Resolve on the shell's exit, not on its streams closing: a backgrounded daemon keeps them open.
    child.on('exit', () => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, DRAIN_AFTER_EXIT_MS);
    });
    const result = await child;
    clearTimeout(timer);
    if (timedOut) killGroup(child.pid, 'SIGKILL');
    const spawnFailed = result.failed && result.exitCode === undefined && !result.signal && !timedOut;
    const failure = spawnFailed ? (result.shortMessage ?? 'spawn failed') : '';
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      timedOut,
      durationMs: Math.round(performance.now() - started),
      stdout: stdout.text(),
      stderr: spawnFailed ? failure : stderr.text(),
      transportError: spawnFailed ? `could not run /bin/sh: ${failure}` : null,
    };
  }
}
