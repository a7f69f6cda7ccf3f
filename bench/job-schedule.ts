/**
 * Cost of jobs at start-up and per tick: `ha-valet validate` on the demo config
 * with and without two job sections (interleaved CLI runs, median wall ms),
 * and the pure parts in-process: parsing a cron expression, finding the next
 * matching time (an every-five-minutes and a leap-day schedule) and planning
 * the due slots. Run: node dist/bench/job-schedule.js [ROUNDS]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { nextCronTime, parseCron, type CronExpression } from '../src/jobs/cron.js';
import { emptyJobState } from '../src/jobs/job-state.js';
import { planSlots } from '../src/jobs/schedule.js';
import type { JobConfig } from '../src/jobs/job-config.js';

const rounds = Number(process.argv[2] ?? 15);
const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/entry.cjs');

/** Median of a list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall ms of one `ha-valet -c FILE validate`. */
function timeValidate(file: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [entry, '-c', file, 'validate'], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`validate ${file} exited ${result.status}`);
  return performance.now() - start;
}

/** Microseconds per call of `fn`, over `n` calls. */
function perCall(n: number, fn: () => void): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - start) * 1000) / n;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'ha-valet-bench-jobs-'));
try {
  const demo = readFileSync('config/demo.cfg', 'utf8');
  const without = path.join(dir, 'without.cfg');
  const withJobs = path.join(dir, 'with-jobs.cfg');
  writeFileSync(without, demo);
  writeFileSync(
    withJobs,
    `${demo}\n[Report]\nschedule = */5 * * * *\nwith = Ostro\nrun = echo {slot}\n\n[Cleanup]\nevery = 30s\nhost = 127.0.0.2\nstand_by_list = 127.0.0.3\nrun = echo {host}\n`,
  );
  const times = { without: [] as number[], withJobs: [] as number[] };
  timeValidate(without);
  timeValidate(withJobs);
  for (let i = 0; i < rounds; i++) {
    times.without.push(timeValidate(without));
    times.withJobs.push(timeValidate(withJobs));
  }
  console.log(`ha-valet validate, ${rounds} interleaved rounds, median wall ms`);
  console.log(`  demo config:             ${median(times.without).toFixed(1)}`);
  console.log(`  demo config + 2 jobs:    ${median(times.withJobs).toFixed(1)}`);

  const everyFive = parseCron('*/5 * * * *') as CronExpression;
  const leapDay = parseCron('0 12 29 feb *') as CronExpression;
  const t = Date.parse('2026-03-01T00:00:00Z');
  const job: JobConfig = {
    name: 'J',
    source: { file: 'b.cfg', line: 1 },
    timing: { kind: 'schedule', cron: everyFive, text: '*/5 * * * *' },
    candidates: [],
    transport: 'local',
    ssh: { port: 22, verifyHostKey: true, runner: true, connectTimeoutMs: 5000 },
    timeoutMs: 60_000,
    withProcess: null,
    overlap: 'skip',
    catchUpMs: 60_000,
    warnAfter: 3,
    sticky: false,
  };
  const state = { ...emptyJobState(), lastSlot: t - 300_000 };
  console.log('in-process, µs per call');
  console.log(
    `  parseCron('*/5 * * * *'):        ${perCall(20_000, () => parseCron('*/5 * * * *')).toFixed(2)}`,
  );
  console.log(
    `  nextCronTime(*/5 * * * *):       ${perCall(20_000, () => nextCronTime(everyFive, t)).toFixed(2)}`,
  );
  console.log(
    `  nextCronTime(0 12 29 feb *):     ${perCall(200, () => nextCronTime(leapDay, t)).toFixed(2)}`,
  );
  console.log(
    `  planSlots (one tick, */5):       ${perCall(20_000, () => planSlots(job, state, t + 1000)).toFixed(2)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
