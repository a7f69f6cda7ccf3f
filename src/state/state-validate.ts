/**
 * Shape checks for ProcessState read back from disk. Strict on the fields the
 * contract defines, tolerant of extra fields (a newer build may add some), so a
 * torn, hand-edited or foreign file is recognised instead of crashing decide().
 */
import { OBSERVATION_KINDS } from '../probe/observation.js';
import {
  emptyProcessState,
  FAILURE_KINDS,
  hostRecord,
  OPERATOR_REQUESTS,
  PROCESS_STATUSES,
  type ProcessState,
} from './model.js';

type Json = Record<string, unknown>;

/** Returns the state when `value` is a valid ProcessState, else a description of the first problem. */
export function validateProcessState(value: unknown): { state: ProcessState } | { problem: string } {
  const problem = findProblem(value);
  if (problem) return { problem };
  // Fields added to the model later get their defaults; nothing present is changed.
  const empty = emptyProcessState();
  const state = { ...empty, ...(value as ProcessState) };
  state.hosts = Object.fromEntries(
    Object.entries(state.hosts).map(([host, record]) => [host, { ...hostRecord(empty, host), ...record }]),
  );
  return { state };
}

/** Each top-level field, its check and what it should be (built once: status reads hundreds of states). */
const FIELD_CHECKS: ReadonlyArray<[string, (v: unknown) => boolean, string]> = [
  [
    'status',
    (v) => v === undefined || (PROCESS_STATUSES as readonly unknown[]).includes(v),
    `one of ${PROCESS_STATUSES.join(', ')}`,
  ],
  ['downSince', (v) => v === undefined || isNumberOrNull(v), 'a number or null'],
  ['activeHost', isStringOrNull, 'a string or null'],
  ['lastActiveHost', (v) => v === undefined || isStringOrNull(v), 'a string or null'],
  ['startedAt', isNumberOrNull, 'a number or null'],
  ['placedAt', (v) => v === undefined || isNumberOrNull(v), 'a number or null'],
  ['startTimes', (v) => Array.isArray(v) && v.every(isNumber), 'an array of numbers'],
  ['givenUpAt', isNumberOrNull, 'a number or null'],
  ['latched', isBoolean, 'a boolean'],
  ['maintenance', isBoolean, 'a boolean'],
  ['hosts', isObject, 'an object'],
  ['lastAction', (v) => v === null || isLastAction(v), 'null or {type, host, ok, reason, at}'],
  [
    'request',
    (v) => v === null || isRequest(v),
    `null or {type: ${OPERATOR_REQUESTS.join('|')}, host, by, at}`,
  ],
  ['counters', isCounters, 'an object of four numbers'],
  ['disagreement', isOptionalText, 'a string or null'],
  ['unsafe', isOptionalText, 'a string or null'],
  [
    'lastFence',
    (v) => v === undefined || v === null || isFenceRecord(v),
    'null or {host, ok, command, at, …}',
  ],
  ['fences', (v) => v === undefined || isFenceCounts(v), 'an object of {ok, failed} counts per host'],
];

/** The first thing wrong with `value` as a ProcessState, or null. */
function findProblem(value: unknown): string | null {
  if (!isObject(value)) return 'state is not an object';
  if (value.version !== 1) return `unknown state version ${JSON.stringify(value.version)} (expected 1)`;
  for (const [key, ok, expected] of FIELD_CHECKS) {
    if (!ok(value[key])) return `field "${key}" is not ${expected}`;
  }
  for (const [host, record] of Object.entries(value.hosts as Json)) {
    const bad = findHostProblem(record);
    if (bad) return `hosts["${host}"]: ${bad}`;
  }
  return null;
}

/** The first thing wrong with a HostRecord, or null. */
function findHostProblem(record: unknown): string | null {
  if (!isObject(record)) return 'not an object';
  if (!(record.lastObservation === null || isObservation(record.lastObservation)))
    return 'lastObservation is malformed';
  if (!isNumber(record.badChecks) || !isNumber(record.failedStarts))
    return 'badChecks/failedStarts are not numbers';
  if (!isNumberOrNull(record.retryAfter) || !isNumberOrNull(record.upSince))
    return 'retryAfter/upSince are not numbers or null';
  if (record.reachableSince !== undefined && !isNumberOrNull(record.reachableSince))
    return 'reachableSince is not a number or null';
  if (record.earlyDeaths !== undefined && !isNumber(record.earlyDeaths)) return 'earlyDeaths is not a number';
  if (record.lastUpAt !== undefined && !isNumberOrNull(record.lastUpAt))
    return 'lastUpAt is not a number or null';
  if (!(record.lastFailure === undefined || record.lastFailure === null || isHostFailure(record.lastFailure)))
    return 'lastFailure is not null or {kind, at, reason}';
  if (record.fencedAt !== undefined && !isNumberOrNull(record.fencedAt))
    return 'fencedAt is not a number or null';
  if (record.actedAt !== undefined && !isNumberOrNull(record.actedAt))
    return 'actedAt is not a number or null';
  if (record.fenceRetryAt !== undefined && !isNumberOrNull(record.fenceRetryAt))
    return 'fenceRetryAt is not a number or null';
  if (record.fenceFailures !== undefined && !isNumber(record.fenceFailures))
    return 'fenceFailures is not a number';
  return null;
}

/** True for a plausible Observation. */
function isObservation(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.host === 'string' &&
    (OBSERVATION_KINDS as readonly unknown[]).includes(v.kind) &&
    isNumberOrNull(v.exitCode) &&
    isNumber(v.at) &&
    isNumber(v.durationMs)
  );
}

/** True for a plausible HostFailure. */
function isHostFailure(v: unknown): boolean {
  return (
    isObject(v) &&
    (FAILURE_KINDS as readonly unknown[]).includes(v.kind) &&
    isNumber(v.at) &&
    typeof v.reason === 'string'
  );
}

/** True for a plausible LastAction. */
function isLastAction(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.type === 'string' &&
    isStringOrNull(v.host) &&
    isBoolean(v.ok) &&
    typeof v.reason === 'string' &&
    isNumber(v.at)
  );
}

/** True for a plausible OperatorRequest. */
function isRequest(v: unknown): boolean {
  return (
    isObject(v) &&
    (OPERATOR_REQUESTS as readonly unknown[]).includes(v.type) &&
    isStringOrNull(v.host) &&
    typeof v.by === 'string' &&
    isNumber(v.at)
  );
}

/** True for a plausible FenceRecord: a LastAction's fields (its host set) with command, exit code and duration. */
function isFenceRecord(v: unknown): boolean {
  if (!isObject(v) || typeof v.host !== 'string' || typeof v.command !== 'string') return false;
  return isNumberOrNull(v.exitCode) && isNumber(v.durationMs) && isLastAction({ ...v, type: 'fence' });
}

/** True for `{host: {ok, failed}}`. */
function isFenceCounts(v: unknown): boolean {
  return isObject(v) && Object.values(v).every((c) => isObject(c) && isNumber(c.ok) && isNumber(c.failed));
}

/** Absent, null or a string. */
function isOptionalText(v: unknown): boolean {
  return v === undefined || isStringOrNull(v);
}

/** True for the counters object. */
function isCounters(v: unknown): boolean {
  return isObject(v) && ['starts', 'failovers', 'failedStarts', 'stops'].every((k) => isNumber(v[k]));
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isNumber(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v);
}
function isNumberOrNull(v: unknown): boolean {
  return v === null || isNumber(v);
}
function isStringOrNull(v: unknown): boolean {
  return v === null || typeof v === 'string';
}
function isBoolean(v: unknown): boolean {
  return typeof v === 'boolean';
}
