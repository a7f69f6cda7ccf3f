/**
 * What the native checks share: how an outcome becomes a RunResult (so the
 * README's exit-code table classifies native and shell tests alike), reading a
 * priority from a reply, and which socket errors mean "down" vs "unreachable".
 */
import type { RunResult } from '../../exec/executor.js';
import { MAX_PRIORITY } from '../classify.js';

/** Most bytes of a reply read while waiting for `test_expect` to match. */
export const MAX_REPLY_BYTES = 64 * 1024;

/** Errors of a host that answered but refused or dropped us: the service is down there. */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** One native check's outcome, before it becomes a RunResult. */
export type NativeOutcome =
  | { kind: 'answered'; exitCode: number; note: string; reply?: string }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; reason: string };

/** Turns an outcome into the executor result shape: exit code = priority (0 = down). */
export function toRunResult(outcome: NativeOutcome, startedAt: number, timeoutMs: number): RunResult {
  const durationMs = Math.round(performance.now() - startedAt);
  const base = { signal: null, durationMs, stdout: '', stderr: '', timedOut: false, transportError: null };
  if (outcome.kind === 'timeout') return { ...base, exitCode: null, timedOut: true, durationMs: timeoutMs };
  if (outcome.kind === 'unreachable') return { ...base, exitCode: null, transportError: outcome.reason };
  return { ...base, exitCode: outcome.exitCode, stdout: outcome.reply ?? '', note: outcome.note };
}

/** The outcome of a socket error: refused or reset → down, anything else (no route, DNS, TLS) → unreachable. */
export function outcomeOfError(error: NodeJS.ErrnoException, what: string): NativeOutcome {
  const code = error.code ?? '';
  if (DOWN_CODES.has(code)) {
    const verb = code === 'ECONNREFUSED' ? 'refused' : 'reset';
    return { kind: 'answered', exitCode: 0, note: `${what} ${verb} the connection` };
  }
  return { kind: 'unreachable', reason: `${what}: ${error.message}` };
}

const patterns = new Map<string, RegExp>();

/** The compiled `test_expect` (validated by the config loader), compiled once. */
function patternOf(source: string): RegExp {
  let pattern = patterns.get(source);
  if (!pattern) {
    pattern = new RegExp(source);
    patterns.set(source, pattern);
  }
  return pattern;
}

/**
 * Matches `reply` against `expect`: null when it does not match (yet); else the
 * outcome, with the priority from the `priority` group when there is one, else `rank`.
 */
export function matchReply(reply: string, expect: string, rank: number): NativeOutcome | null {
  const match = patternOf(expect).exec(reply);
  if (!match) return null;
  const text = match.groups?.priority;
  if (text === undefined) return answeredUp(rank, `reply matched /${expect}/`, reply);
  const priority = /^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(priority >= 0 && priority <= MAX_PRIORITY))
    return { kind: 'unreachable', reason: `reply gave priority '${text}', expected 0-${MAX_PRIORITY}` };
  const note = priority === 0 ? 'reply gave priority 0 (down)' : `reply gave priority ${priority}`;
  return { kind: 'answered', exitCode: priority, note, reply: reply.slice(0, 4096) };
}

/** Up with the candidate's rank as its priority (capped at MAX_PRIORITY). */
export function answeredUp(rank: number, note: string, reply?: string): NativeOutcome {
  const outcome: NativeOutcome = { kind: 'answered', exitCode: Math.min(rank, MAX_PRIORITY), note };
  if (reply !== undefined) outcome.reply = reply.slice(0, 4096);
  return outcome;
}

/** Down, with what was seen. */
export function answeredDown(note: string, reply?: string): NativeOutcome {
  const outcome: NativeOutcome = { kind: 'answered', exitCode: 0, note };
  if (reply !== undefined) outcome.reply = reply.slice(0, 4096);
  return outcome;
}

/**
 * The one settlement of a check: `finish(outcome)` resolves once, clears the
 * test_timeout timer (started here; it settles as a timeout) and calls `release`.
 */
export function settleOnce(
  resolve: (result: RunResult) => void,
  timeoutMs: number,
  release: () => void,
): (outcome: NativeOutcome) => void {
  const startedAt = performance.now();
  let done = false;
  const finish = (outcome: NativeOutcome): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    release();
    resolve(toRunResult(outcome, startedAt, timeoutMs));
  };
  const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
  return finish;
}

/**
 * Reads a reply as it arrives: each chunk is added (up to MAX_REPLY_BYTES) and
 * matched; `onOutcome` gets the match, or `tooLong(text)` once the cap is reached.
 * Returns the text so far, for a reply that ends before it matched.
 */
export function readReply(
  stream: NodeJS.ReadableStream,
  expect: string,
  rank: number,
  onOutcome: (outcome: NativeOutcome) => void,
  tooLong: (text: string) => NativeOutcome,
): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text = (text + chunk).slice(0, MAX_REPLY_BYTES);
    const matched = matchReply(text, expect, rank);
    if (matched) onOutcome(matched);
    else if (text.length >= MAX_REPLY_BYTES) onOutcome(tooLong(text));
  });
  return () => text;
}
