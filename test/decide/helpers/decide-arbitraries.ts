/**
 * fast-check generators for the property tests of decide/: random process configs, probes,
 * stored states (host records, start history, given-up, latch, maintenance, requests) and the
 * attempts of a pass so far. Times are around NOW, so histories, back-offs and retries fall on
 * both sides of it.
 */
import fc from 'fast-check';
import type { ProcessConfig } from '../../../src/config/model.js';
import type { PassAttempts } from '../../../src/decide/actions.js';
import type { Observation } from '../../../src/probe/observation.js';
import { backoffDelay, retryAfterOf } from '../../../src/decide/backoff.js';
import { foldObservations } from '../../../src/decide/observe.js';
import {
  emptyProcessState,
  FAILURE_KINDS,
  hostRecord,
  OPERATOR_REQUESTS,
  PROCESS_STATUSES,
  type HostRecord,
  type ProcessState,
} from '../../../src/state/model.js';
import { makeProcess } from '../../helpers/process-config.js';

export const NOW = 50_000_000;
const HOSTS = ['A', 'B', 'C', 'D'];
const STEP = { command: 'true', optional: false, timeoutMs: 1000 };

/** `arb` in about one case of seven, else `usual`. */
function rarely<T, U>(arb: fc.Arbitrary<T>, usual: U): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: fc.constant(usual), weight: 6 }, { arbitrary: arb, weight: 1 });
}

/** A time within `spanMs` either side of NOW. */
const around = (spanMs: number) => fc.integer({ min: NOW - spanMs, max: NOW + spanMs });

/** A process on 1–4 hosts with random timing, damping, failback, latch and hooks. */
export const processArb: fc.Arbitrary<ProcessConfig> = fc
  .record({
    count: fc.integer({ min: 1, max: 4 }),
    checkCount: fc.integer({ min: 1, max: 3 }),
    maxRestarts: fc.integer({ min: 1, max: 8 }),
    restartWindowMs: fc.integer({ min: 1000, max: 200_000 }),
    givenUpRetryMs: fc.option(fc.integer({ min: 1000, max: 600_000 }), { nil: null }),
    minUptimeMs: fc.integer({ min: 0, max: 15_000 }),
    backoffInitialMs: fc.integer({ min: 100, max: 3000 }),
    backoffExtraMs: fc.integer({ min: 0, max: 10_000 }),
    failback: fc.boolean(),
    failbackDelayMs: fc.integer({ min: 0, max: 60_000 }),
    priority: fc.integer({ min: 1, max: 3 }),
    priorityWaitMs: fc.integer({ min: 0, max: 20_000 }),
    latch: fc.boolean(),
    hooks: fc.boolean(),
  })
  .map((r) =>
    makeProcess('P', HOSTS.slice(0, r.count), {
      checkCount: r.checkCount,
      maxRestarts: r.maxRestarts,
      restartWindowMs: r.restartWindowMs,
      givenUpRetryMs: r.givenUpRetryMs,
      minUptimeMs: r.minUptimeMs,
      backoffInitialMs: r.backoffInitialMs,
      backoffMaxMs: r.backoffInitialMs + r.backoffExtraMs,
      failback: r.failback,
      failbackDelayMs: r.failbackDelayMs,
      priority: r.priority,
      priorityWaitMs: r.priorityWaitMs,
      latch: r.latch,
      hooks: r.hooks
        ? {
            beforeFailover: [STEP],
            afterFailover: [STEP],
            onFailed: [STEP],
            onGivenUp: [STEP],
            onSplitBrain: [STEP],
          }
        : { beforeFailover: [], afterFailover: [], onFailed: [], onGivenUp: [], onSplitBrain: [] },
    }),
  );

/** One observation of `host` taken at NOW; `rankPriority` makes an up instance report its rank. */
function observationArb(host: string, rank: number, rankPriority: boolean): fc.Arbitrary<Observation> {
  const up = (rankPriority ? fc.constant(rank) : fc.integer({ min: 1, max: 3 })).map(
    (priority): Observation => ({ host, kind: 'up', priority, exitCode: priority, at: NOW, durationMs: 1 }),
  );
  return fc.oneof(
    up,
    fc.constant<Observation>({ host, kind: 'down', exitCode: 0, at: NOW, durationMs: 1 }),
    fc.constant<Observation>({
      host,
      kind: 'unreachable',
      reason: 'exit 255',
      exitCode: 255,
      at: NOW,
      durationMs: 1,
    }),
    fc.constant<Observation>({
      host,
      kind: 'error',
      reason: 'exit 127',
      exitCode: 127,
      at: NOW,
      durationMs: 1,
    }),
  );
}

/** A probe of every candidate (now and then one missing); `rankPriority`: priorities equal ranks. */
export function observationsArb(
  process: ProcessConfig,
  rankPriority = false,
  noneUp = false,
): fc.Arbitrary<Observation[]> {
  return fc
    .tuple(
      ...process.candidates.map((c) =>
        fc.option(observationArb(c.host, c.rank, rankPriority), { freq: 12, nil: null }),
      ),
    )
    .map((list) =>
      list
        .filter((o): o is Observation => o !== null)
        .map((o): Observation => (noneUp && o.kind === 'up' ? { ...o, kind: 'down', exitCode: 0 } : o)),
    );
}

/** A consistent host record: a back-off only after a recorded failure, at most backoff_max after it. */
function hostRecordArb(process: ProcessConfig): fc.Arbitrary<HostRecord> {
  return fc
    .record({
      badChecks: fc.integer({ min: 0, max: 4 }),
      failedStarts: fc.integer({ min: 0, max: 6 }),
      earlyDeaths: fc.integer({ min: 0, max: 6 }),
      upSince: fc.option(around(100_000), { nil: null }),
      reachableSince: fc.option(fc.integer({ min: NOW - 100_000, max: NOW }), { nil: null }),
      lastUpAt: fc.option(fc.integer({ min: NOW - 100_000, max: NOW }), { nil: null }),
      failure: fc.option(
        fc.record({
          kind: fc.constantFrom(...FAILURE_KINDS),
          at: fc.integer({ min: NOW - 100_000, max: NOW }),
          backoff: fc.option(fc.integer({ min: 1, max: process.backoffMaxMs }), { nil: null }),
        }),
        { nil: null },
      ),
    })
    .map((r) => ({
      lastObservation: null,
      badChecks: r.badChecks,
      failedStarts: r.failedStarts,
      earlyDeaths: r.earlyDeaths,
      retryAfter: r.failure?.backoff ? r.failure.at + r.failure.backoff : null,
      upSince: r.upSince,
      reachableSince: r.reachableSince,
      lastUpAt: r.lastUpAt,
      lastFailure: r.failure
        ? { kind: r.failure.kind, at: r.failure.at, reason: `${r.failure.kind} (test)` }
        : null,
    }));
}

/** A stored state; `requests` adds an occasional operator request. */
export function stateArb(process: ProcessConfig, requests = true): fc.Arbitrary<ProcessState> {
  const hosts = process.candidates.map((c) => c.host);
  const request = requests
    ? rarely(
        fc.record({
          type: fc.constantFrom(...OPERATOR_REQUESTS),
          host: fc.option(fc.constantFrom(...hosts, 'Z'), { nil: null }),
          by: fc.constant('ops@test'),
          at: fc.constant(NOW),
        }),
        null,
      )
    : fc.constant(null);
  return fc
    .record({
      status: fc.constantFrom(...PROCESS_STATUSES),
      downSince: fc.option(fc.integer({ min: NOW - 100_000, max: NOW }), { nil: null }),
      activeHost: fc.option(fc.constantFrom(...hosts), { nil: null }),
      startedAt: fc.option(fc.integer({ min: NOW - 100_000, max: NOW }), { nil: null }),
      startTimes: fc.array(fc.integer({ min: NOW - 300_000, max: NOW }), { maxLength: 10 }),
      givenUpAt: rarely(fc.integer({ min: NOW - 700_000, max: NOW }), null),
      latched: rarely(fc.constant(true), false),
      maintenance: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      hosts: fc.tuple(...hosts.map(() => hostRecordArb(process))),
      request,
    })
    .map((r) => ({
      ...emptyProcessState(),
      status: r.status,
      downSince: r.downSince,
      activeHost: r.activeHost,
      startedAt: r.startedAt,
      startTimes: [...r.startTimes].sort((a, b) => a - b),
      givenUpAt: r.givenUpAt,
      latched: r.latched,
      maintenance: r.maintenance,
      hosts: Object.fromEntries(hosts.map((h, i) => [h, r.hosts[i]!])),
      request: r.request,
    }));
}

/** The attempts of the pass so far: failed starts and stops on some hosts, hooks already run. */
export function attemptsArb(process: ProcessConfig): fc.Arbitrary<PassAttempts> {
  const hosts = process.candidates.map((c) => c.host);
  return fc
    .record({
      startFailed: fc.subarray(hosts),
      stopFailed: fc.subarray(hosts),
      aborted: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
      hooksRun: fc.subarray([
        'beforeFailover',
        'afterFailover',
        'onFailed',
        'onGivenUp',
        'onSplitBrain',
      ] as const),
    })
    .map((r) => ({
      startFailed: Object.fromEntries(r.startFailed.map((h) => [h, 'start failed, exit 1'])),
      stopFailed: Object.fromEntries(r.stopFailed.map((h) => [h, 'still not down'])),
      hooksRun: [...r.hooksRun],
      ...(r.aborted ? { failoverAborted: 'failover aborted: beforeFailover step 1 failed' } : {}),
    }));
}

/** What one round of decide sees: the config, the probe, the state with it folded in, the attempts. */
export interface World {
  process: ProcessConfig;
  observations: Observation[];
  state: ProcessState;
  attempts: PassAttempts;
}

/**
 * A world as a pass round sees it: the probe folded into the stored state (foldObservations), and
 * each host that failed a start earlier in this pass recorded as recordOutcome does.
 */
export function worldArb(
  options: { requests?: boolean; rankPriority?: boolean; noneUp?: boolean } = {},
): fc.Arbitrary<World> {
  return processArb.chain((process) =>
    fc
      .record({
        observations: observationsArb(process, options.rankPriority ?? false, options.noneUp ?? false),
        stored: stateArb(process, options.requests ?? true),
        attempts: attemptsArb(process),
      })
      .map(({ observations, stored, attempts }) => {
        let state = foldObservations(process, stored, observations, NOW);
        for (const host of Object.keys(attempts.startFailed)) {
          const record = hostRecord(state, host);
          const failedStarts = record.failedStarts + 1;
          const failure = { kind: 'start-failed' as const, at: NOW, reason: 'start failed, exit 1' };
          const retryAfter = retryAfterOf(NOW, backoffDelay(process, failedStarts));
          state = {
            ...state,
            hosts: { ...state.hosts, [host]: { ...record, failedStarts, retryAfter, lastFailure: failure } },
          };
        }
        return { process, observations, state, attempts };
      }),
  );
}
