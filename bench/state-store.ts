/**
 * Figures for the state layer: save/load latency of one process's state, loadAll
 * of 200 processes (what `status` does), journal append/read, lock acquire+release.
 * Usage: node dist/bench/state-store.js [DIR] (default: a temp dir, removed after).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FileJournal } from '../src/state/journal.js';
import { emptyProcessState, type ProcessState } from '../src/state/model.js';
import { acquirePassLock } from '../src/state/pass-lock.js';
import { FileStateStore } from '../src/state/state-store.js';

/** A typical state: 3 hosts with observations, a few start times. */
function typicalState(i: number): ProcessState {
  const state = emptyProcessState();
  state.activeHost = 'Host_A';
  state.startTimes = [Date.now() - 1000, Date.now()];
  for (const host of ['Host_A', 'Host_B', 'Host_C']) {
    state.hosts[host] = {
      lastObservation: { host, kind: 'up', priority: 1, exitCode: 1, at: Date.now(), durationMs: 12 },
      badChecks: 0,
      failedStarts: i % 3,
      retryAfter: null,
      upSince: Date.now(),
      reachableSince: Date.now(),
      earlyDeaths: 0,
      lastUpAt: null,
      lastFailure: null,
    };
  }
  return state;
}

/** Median and max of a list of ms. */
function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${median.toFixed(2)} ms, p90 ${(sorted[Math.floor(sorted.length * 0.9)] ?? 0).toFixed(2)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(2)} ms (n=${samples.length})`;
}

/** Times `fn` `n` times. */
async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

const given = process.argv[2];
const dir = given ?? (await mkdtemp(path.join(os.tmpdir(), 'hv-bench-state-')));
try {
  const store = new FileStateStore(dir);
  console.log(`state dir: ${dir}`);
  console.log(
    `save (temp+fsync+rename+fsync dir): ${summary(await time(200, (i) => store.save(`p${i}`, typicalState(i))))}`,
  );
  console.log(`load one:                           ${summary(await time(200, (i) => store.load(`p${i}`)))}`);
  console.log(
    `loadAll of 200 processes:           ${summary(await time(20, () => new FileStateStore(dir).loadAll()))}`,
  );
  const journal = new FileJournal(path.join(dir, 'journal.jsonl'));
  const entry = {
    process: 'Ostro',
    event: 'start',
    host: 'Host_B',
    exitCode: 0,
    durationMs: 812,
    ok: true,
    reason: 'nothing up',
  };
  console.log(
    `journal append:                     ${summary(await time(2000, (i) => journal.append({ at: i, ...entry })))}`,
  );
  console.log(
    `journal read (2000 entries):        ${summary(await time(10, () => journal.read({ process: ['Ostro'], limit: 50 })))}`,
  );
  console.log(
    `pass lock acquire+release:          ${summary(await time(200, async () => (await acquirePassLock(path.join(dir, 'pass.lock'))).release()))}`,
  );
} finally {
  if (!given) await rm(dir, { recursive: true, force: true });
}
