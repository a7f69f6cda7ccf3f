/**
 * durablyEqual against the definition it replaced: two states are durably equal
 * exactly when their JSON, with the non-durable parts normalised, is the same.
 * Pairs are drawn as one state and a neighbour of it (same or nudged fields), so
 * both answers occur often.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { durablyEqual, type DurableLimits } from '../../src/state/durable-equal.js';
import { emptyProcessState, hostRecord, type ProcessState } from '../../src/state/model.js';
import { NOW, processArb, stateArb } from '../decide/helpers/decide-arbitraries.js';

/** The reference: the normalised JSON the store compared before (durable-fingerprint). */
function reference(state: ProcessState, limits: DurableLimits): string {
  const hosts: Record<string, unknown> = {};
  for (const [host, record] of Object.entries(state.hosts)) {
    const last = record.lastObservation;
    const upAt = record.lastUpAt;
    const early = upAt !== null && state.startedAt !== null && upAt - state.startedAt < limits.minUptimeMs;
    hosts[host] = {
      ...record,
      badChecks: Math.min(record.badChecks, limits.checkCount),
      lastObservation: last && { kind: last.kind, priority: last.priority ?? null },
      lastUpAt: upAt === null || early ? upAt : 'past min_uptime',
    };
  }
  return JSON.stringify({ ...state, hosts });
}

/** A neighbour of `state`: each host's record nudged (or not) in one durable or non-durable field. */
function neighbourArb(state: ProcessState): fc.Arbitrary<ProcessState> {
  const hosts = Object.keys(state.hosts);
  return fc
    .tuple(
      fc.array(fc.constantFrom('none', 'at', 'bad', 'kind', 'upAt', 'failed', 'undefined'), {
        minLength: hosts.length,
        maxLength: hosts.length,
      }),
      fc.constantFrom('none', 'status', 'active', 'extra'),
    )
    .map(([nudges, top]) => {
      const next: ProcessState = { ...state, hosts: { ...state.hosts } };
      hosts.forEach((host, i) => {
        const r = { ...state.hosts[host]! };
        const last = r.lastObservation;
        if (nudges[i] === 'at' && last) r.lastObservation = { ...last, at: last.at + 1000, reason: 'later' };
        if (nudges[i] === 'bad') r.badChecks += 1;
        if (nudges[i] === 'kind' && last)
          r.lastObservation = { ...last, kind: last.kind === 'up' ? 'down' : 'up' };
        if (nudges[i] === 'upAt') r.lastUpAt = (r.lastUpAt ?? NOW - 500) + 700;
        if (nudges[i] === 'failed') r.failedStarts += 1;
        if (nudges[i] === 'undefined') (r as unknown as Record<string, unknown>).actedAt = undefined;
        next.hosts[host] = r;
      });
      if (top === 'status') next.status = next.status === 'up' ? 'down' : 'up';
      if (top === 'active') next.activeHost = next.activeHost === null ? hosts[0]! : null;
      if (top === 'extra') (next as unknown as Record<string, unknown>).vip = undefined;
      return next;
    });
}

test('durablyEqual agrees with the normalised-JSON definition (fast-check)', () => {
  let equal = 0;
  let different = 0;
  fc.assert(
    fc.property(
      processArb.chain((process) =>
        stateArb(process).chain((state) =>
          fc.tuple(fc.constant(process), fc.constant(state), neighbourArb(state)),
        ),
      ),
      ([process, a, b]) => {
        const expected = reference(a, process) === reference(b, process);
        if (expected) equal++;
        else different++;
        assert.equal(durablyEqual(a, b, process), expected);
        assert.equal(durablyEqual(b, a, process), expected);
      },
    ),
    { numRuns: 3000 },
  );
  assert.ok(equal > 100 && different > 100, `both answers occur (${equal} equal, ${different} different)`);
});

test('durablyEqual: a host only one state has makes them different (a state file removed or reset)', () => {
  const limits = { checkCount: 1, minUptimeMs: 1000 };
  const empty = emptyProcessState();
  const withHost: ProcessState = { ...empty, hosts: { h1: hostRecord(empty, 'h1') } };
  assert.equal(durablyEqual(withHost, empty, limits), false);
  assert.equal(durablyEqual(empty, withHost, limits), false);
  assert.equal(durablyEqual(withHost, { ...withHost }, limits), true);
});
