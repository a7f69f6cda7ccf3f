/**
 * Reads a test command's result as an observation (the README's exit-code table):
 * 0 down; 1–123 up with that priority; 124, 255, 128+N, a signal, our timeout or a
 * transport failure unreachable; 126/127 error (not executable / not found).
 */
import type { RunResult } from '../exec/executor.js';
import type { Observation } from './observation.js';

/** Highest exit code read as a priority. */
export const MAX_PRIORITY = 123;

/** Turns one run of a test command into an observation of `host`. */
export function classifyResult(host: string, result: RunResult, now: number): Observation {
  const base = { host, exitCode: result.exitCode, at: now, durationMs: result.durationMs };
  if (result.transportError) return { ...base, kind: 'unreachable', reason: result.transportError };
  if (result.timedOut)
    return { ...base, kind: 'unreachable', reason: `test timed out after ${result.durationMs} ms` };
  if (result.exitCode === null) {
    return { ...base, kind: 'unreachable', reason: `test killed by ${result.signal ?? 'a signal'}` };
  }
  const code = result.exitCode;
  const note = result.note ? { reason: result.note } : {};
  if (code === 0) return { ...base, kind: 'down', ...note };
  if (code >= 1 && code <= MAX_PRIORITY) return { ...base, kind: 'up', priority: code, ...note };
  if (code === 126) return { ...base, kind: 'error', reason: 'test command not executable (exit 126)' };
  if (code === 127) return { ...base, kind: 'error', reason: 'test command not found (exit 127)' };
  if (code === 124) return { ...base, kind: 'unreachable', reason: 'test timed out (exit 124)' };
  if (code === 255) return { ...base, kind: 'unreachable', reason: 'host unreachable (exit 255)' };
  if (code > 128)
    return { ...base, kind: 'unreachable', reason: `test killed by signal ${code - 128} (exit ${code})` };
  return { ...base, kind: 'unreachable', reason: `unexpected exit ${code}` };
}
