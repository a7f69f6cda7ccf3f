/**
 * A group of three members (issue 13) with real processes and local transport: two file markers
 * around a real long-running process. Members append to one log file, so order is read from the
 * log, never from timings. Probe and pass are the real ones (`probeProcesses`, `runProcessPass`).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { ProcessConfig } from '../../src/config/model.js';
import { executeAction } from '../../src/act/execute-action.js';
import { runProcessPass, type PassDeps } from '../../src/pass/run-pass.js';
import { probeProcesses } from '../../src/probe/probe.js';
import { outcomeEntries } from '../../src/pass/journal-entries.js';
import { emptyProcessState, type JournalEntry, type ProcessState } from '../../src/state/model.js';
import { makeProcess } from '../helpers/process-config.js';
import { realActContext } from '../helpers/real-act-context.js';

const A = '127.0.0.2';
const B = '127.0.0.3';
const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-groups-'));
after(async () => {
  for (const host of [A, B]) await killService(host);
  await rm(dir, { recursive: true, force: true });
});

const log = () => path.join(dir, 'log');
const file = (host: string, what: string) => path.join(dir, `${host}.${what}`);

/** A file marker member: start creates it, stop removes it, test says whether it is there. */
function marker(name: string): ProcessConfig {
  const base = makeProcess(name, [A, B], { group: 'storage', testTimeoutMs: 5000, stopTimeoutMs: 8000 });
  return {
    ...base,
    candidates: base.candidates.map((c) => ({
      ...c,
      commands: {
        start: `echo "start ${name} ${c.host}" >> ${log()}; touch ${file(c.host, name)}`,
        stop: `echo "stop ${name} ${c.host}" >> ${log()}; [ -e ${file(c.host, 'nostop')} ] && exit 1; rm -f ${file(c.host, name)}`,
        test: `[ -e ${file(c.host, name)} ] && exit 1; exit 0`,
      },
    })),
  };
}

/** The service member: a real background process with a PID file; `<host>.nostart` makes its start fail. */
function service(): ProcessConfig {
  const base = makeProcess('service', [A, B], { group: 'storage', testTimeoutMs: 5000, stopTimeoutMs: 8000 });
  return {
    ...base,
    candidates: base.candidates.map((c) => {
      const pid = file(c.host, 'pid');
      return {
        ...c,
        commands: {
          start: `echo "start service ${c.host}" >> ${log()}; [ -e ${file(c.host, 'nostart')} ] && exit 1; sleep 600 >/dev/null 2>&1 & echo $! > ${pid}`,
          stop: `echo "stop service ${c.host}" >> ${log()}; [ -e ${pid} ] && kill $(cat ${pid}) 2>/dev/null; rm -f ${pid}; exit 0`,
          // Alive and not a zombie (an orphan is reaped late here).
          test: `p=$(cat ${pid} 2>/dev/null) && [ -e /proc/$p/status ] && ! grep -q '^State:[[:space:]]*Z' /proc/$p/status && exit 1; exit 0`,
        },
      };
    }),
  };
}

const members = [marker('marker'), service(), marker('tail')];
const unit = makeProcess('storage', [A, B], { members, minUptimeMs: 0 });

/** Kills the service on `host` (as a crash would), leaving its PID file. */
async function killService(host: string): Promise<void> {
  const pid = Number((await readFile(file(host, 'pid'), 'utf8').catch(() => '')).trim());
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  // Dead once it is gone or a zombie (signals are delivered asynchronously).
  for (let i = 0; i < 100; i++) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => 'State: X');
    if (/^State:\s*[ZX]/m.test(status)) return;
    await sleep(50);
  }
  assert.fail(`process ${pid} did not die`);
}

/** Real pass deps with a journal kept in memory. */
async function depsFor(): Promise<PassDeps & { journal: JournalEntry[]; lines: string[] }> {
  const journal: JournalEntry[] = [];
  return {
    ...(await realActContext(unit)),
    dryRun: false,
    journal,
    recordJournal: async (entries) => {
      journal.push(...entries);
    },
  };
}

/** Probes the group for real and runs one pass; returns the result. */
async function cycle(deps: PassDeps, state: ProcessState) {
  const observed = (await probeProcesses([unit], deps.pool)).get('storage')!;
  return runProcessPass(unit, observed, state, deps);
}

/** The log lines of the whole group's start on `host`, and of its stop. */
const startLines = (host: string) => [`start marker ${host}`, `start service ${host}`, `start tail ${host}`];
const stopLines = (host: string) => [`stop tail ${host}`, `stop service ${host}`, `stop marker ${host}`];

/** The log lines written since `from` lines. */
async function logSince(from: number): Promise<string[]> {
  const text = await readFile(log(), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(from);
}

describe('a group with real processes', { concurrency: false }, () => {
  let state = emptyProcessState();
  let deps: Awaited<ReturnType<typeof depsFor>>;

  test('starts on the preferred host in order and is up there', async () => {
    deps = await depsFor();
    const result = await cycle(deps, state);
    state = result.state;
    assert.equal(result.status, 'up', result.summary);
    assert.equal(result.activeHost, A);
    assert.deepEqual(await logSince(0), startLines(A));
    assert.ok(
      deps.lines.some((l) => l.startsWith(`info start storage/service@${A}`)),
      deps.lines.join('\n'),
    );
    const starts = deps.journal
      .filter((e) => e.event === 'member-start')
      .map((e) => `${e.process}/${e.member}`);
    assert.deepEqual(starts, ['storage/marker', 'storage/service', 'storage/tail']);
    const again = await cycle(deps, state);
    assert.equal(again.outcomes.length, 0, 'a settled group: a second pass does nothing');
  });

  test('a member killed: the rest stops in reverse, the whole group restarts on the same host', async () => {
    const mark = (await logSince(0)).length;
    await killService(A);
    const result = await cycle(deps, state);
    state = result.state;
    assert.equal(result.status, 'up', result.summary);
    assert.equal(result.activeHost, A);
    assert.deepEqual(await logSince(mark), [...stopLines(A), ...startLines(A)]);
  });

  test('a member whose start fails on A: the group ends up on B, A fully cleaned', async () => {
    const mark = (await logSince(0)).length;
    await writeFile(file(A, 'nostart'), '');
    await killService(A);
    const result = await cycle(deps, state);
    state = result.state;
    assert.equal(result.status, 'up', result.summary);
    assert.equal(result.activeHost, B);
    assert.match(result.summary, /member service: start failed, exit 1/);
    assert.deepEqual(await logSince(mark), [
      ...stopLines(A),
      `start marker ${A}`,
      `start service ${A}`,
      `stop service ${A}`, // the failed member's own cleanup
      `stop marker ${A}`, // the members started before it, in reverse
      ...startLines(B),
    ]);
    for (const what of ['marker', 'tail', 'pid'])
      assert.equal(existsSync(file(A, what)), false, `${A}.${what} left`);
    for (const what of ['marker', 'tail', 'pid'])
      assert.equal(existsSync(file(B, what)), true, `${B}.${what} missing`);
  });

  test('move: the whole group stops on B first, then starts on A', async () => {
    const mark = (await logSince(0)).length;
    await rm(file(A, 'nostart'));
    const request = { type: 'move' as const, host: A, by: 'op', at: Date.now() };
    const result = await cycle(deps, { ...state, request });
    state = result.state;
    assert.equal(result.status, 'up', result.summary);
    assert.equal(result.activeHost, A);
    assert.deepEqual(await logSince(mark), [...stopLines(B), ...startLines(A)]);
  });

  test('a stop action stops the members in reverse and journals each', async () => {
    const mark = (await logSince(0)).length;
    const outcome = await executeAction(deps, unit, { type: 'stop', host: A, reason: 'test' });
    assert.equal(outcome.ok, true, outcome.reason);
    assert.equal(outcome.observations[0]?.kind, 'down');
    assert.deepEqual(await logSince(mark), stopLines(A));
    const entries = outcomeEntries(unit, outcome, Date.now());
    assert.deepEqual(
      entries.map((e) => `${e.event} ${e.member ?? e.process}`),
      ['member-stop tail', 'member-stop service', 'member-stop marker', 'stop storage'],
    );
  });

  test('a move whose stop on the old host fails starts nothing on the new one', async () => {
    const started = await executeAction(deps, unit, {
      type: 'start',
      host: A,
      fromHost: null,
      failover: false,
      reason: 'test',
    });
    assert.equal(started.ok, true, started.reason);
    await writeFile(file(A, 'nostop'), '');
    const mark = (await logSince(0)).length;
    const move = await executeAction(deps, unit, {
      type: 'switchover',
      host: B,
      fromHosts: [A],
      reason: 'move to B by operator test',
      operator: true,
      stopFirst: true,
    });
    await rm(file(A, 'nostop'));
    assert.equal(move.ok, false);
    assert.match(move.reason, /^not started on 127\.0\.0\.3: 127\.0\.0\.2: member tail: still not down/);
    assert.deepEqual(move.stoppedHosts, []);
    // The file markers refuse to stop: the stop ends at the first member (tail), the rest untouched.
    assert.deepEqual(await logSince(mark), [`stop tail ${A}`]);
    assert.equal(existsSync(file(A, 'pid')), true, 'the service under it keeps running');
    assert.equal(existsSync(file(B, 'marker')), false, 'nothing started on B');
    await executeAction(deps, unit, { type: 'stop', host: A, reason: 'clean up' });
  });
});
