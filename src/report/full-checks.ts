/**
 * `status --full`: deadpool-style checks that the machinery itself would work —
 * each host reachable, each start/stop/test program present and executable
 * there, the state dir writable. (Watcher liveness and config match come from
 * the heartbeat, see watcher-health.ts.)
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { ProcessConfig } from '../config/model.js';
import { quoteShellWord } from '../config/shell-quote.js';
import type { ExecutorPool } from '../exec/executor.js';
import { runBounded } from '../probe/probe.js';

/** One check of the full report. */
export interface FullCheck {
  /** 'state-dir-writable', 'host-reachable' or 'command-executable'. */
  check: string;
  /** What was checked: a directory, `host`, or `host: program`. */
  target: string;
  ok: boolean;
  detail: string;
}

const CONCURRENCY = 8;

/** Runs every check; never throws for a failed check. */
export async function runFullChecks(
  processes: ProcessConfig[],
  pool: ExecutorPool,
  stateDir: string,
): Promise<FullCheck[]> {
  const checks: FullCheck[] = [await checkStateDirWritable(stateDir)];
  const hosts = new Map<string, { process: ProcessConfig; index: number; programs: Set<string> }>();
  // A group's commands are its members' (each member has the group's hosts, in the same order).
  for (const proc of processes.flatMap((p) => p.members ?? [p])) {
    proc.candidates.forEach((candidate, index) => {
      const key = `${candidate.transport}:${candidate.host}`;
      const entry = hosts.get(key) ?? { process: proc, index, programs: new Set<string>() };
      // A native test (tcp://, http://) runs in the watcher: no program to look for on the host.
      const test = candidate.nativeTest ? [] : [candidate.commands.test];
      for (const command of [candidate.commands.start, candidate.commands.stop, ...test]) {
        const program = programOf(command);
        if (program) entry.programs.add(program);
      }
      hosts.set(key, entry);
    });
  }
  const results = await runBounded(
    [...hosts.values()].map(
      (entry) => () => checkHost(entry.process, entry.index, [...entry.programs], pool),
    ),
    CONCURRENCY,
  );
  return [...checks, ...results.flat()];
}

/** Reachability of one host, then each program on it. */
async function checkHost(
  proc: ProcessConfig,
  index: number,
  programs: string[],
  pool: ExecutorPool,
): Promise<FullCheck[]> {
  const candidate = proc.candidates[index]!;
  const executor = pool.forCandidate(proc, candidate);
  const timeoutMs = proc.testTimeoutMs;
  const probe = await executor.run('true', { timeoutMs });
  const reachable = probe.transportError === null && probe.exitCode === 0;
  const checks: FullCheck[] = [
    {
      check: 'host-reachable',
      target: candidate.host,
      ok: reachable,
      detail: reachable
        ? `${candidate.transport} ok in ${Math.round(probe.durationMs)} ms`
        : (probe.transportError ??
          (probe.timedOut
            ? `timed out after ${timeoutMs} ms`
            : `'true' exited ${probe.exitCode ?? probe.signal}`)),
    },
  ];
  if (!reachable) return checks;
  for (const program of programs) {
    const word = quoteShellWord(program);
    const script = program.includes('/')
      ? `test -f ${word} && test -x ${word}`
      : `command -v -- ${word} >/dev/null 2>&1`;
    const result = await executor.run(script, { timeoutMs });
    const ok = result.transportError === null && result.exitCode === 0;
    checks.push({
      check: 'command-executable',
      target: `${candidate.host}: ${program}`,
      ok,
      detail: ok
        ? 'found and executable'
        : (result.transportError ??
          `${program.includes('/') ? 'missing or not executable' : 'not found in PATH'} on ${candidate.host}`),
    });
  }
  return checks;
}

/** The program a shell command runs first, when it is a plain word (skips VAR=value and `exec`). */
export function programOf(command: string): string | null {
  for (const raw of command.trim().split(/\s+/)) {
    const token = raw.replace(/^(['"])(.*)\1$/, '$2');
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(token) || token === 'exec') continue;
    return /^[A-Za-z0-9_./+@%:,-]+$/.test(token) ? token : null;
  }
  return null;
}

/** The state dir can be written (or, when it does not exist yet, created). */
export async function checkStateDirWritable(dir: string): Promise<FullCheck> {
  const base = { check: 'state-dir-writable', target: dir };
  try {
    await fs.access(dir, fsConstants.F_OK);
  } catch {
    let parent = path.dirname(dir);
    while (parent !== path.dirname(parent)) {
      try {
        await fs.access(parent, fsConstants.F_OK);
        break;
      } catch {
        parent = path.dirname(parent);
      }
    }
    try {
      await fs.access(parent, fsConstants.W_OK);
      return {
        ...base,
        ok: true,
        detail: `does not exist yet; ${parent} is writable, the first pass creates it`,
      };
    } catch {
      return {
        ...base,
        ok: false,
        detail: `does not exist and ${parent} is not writable: set state_dir or fix permissions`,
      };
    }
  }
  const probe = path.join(dir, `.status-write-check.${process.pid}`);
  try {
    await fs.writeFile(probe, 'ok\n', { mode: 0o600 }); // state-dir files never more open than 0640
    await fs.rm(probe, { force: true });
    return { ...base, ok: true, detail: 'writable' };
  } catch (error) {
    return { ...base, ok: false, detail: `cannot write there: ${(error as Error).message}` };
  }
}
