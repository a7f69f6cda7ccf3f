/**
 * One fault soak: ha-valet and the naive loop side by side under one seeded fault schedule, sampled
 * every 100 ms; returns the figures. Everything it starts (supervisors, services, sshds) is stopped
 * and its temp dir removed before it returns, also on failure or abort.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { analyseSide, recoveryOf, type FaultEvent, type SideStats } from './analyse.js';
import { applyFault, drawFault, IMMEDIATE, LASTING, type Applied } from './faults.js';
import { footprint, instancePids, listProcesses, processesMentioning, signalQuietly } from './procs.js';
import { descendantsOf } from '../../test/helpers/sshd.js';
import { seededRandom } from './random.js';
import { answering, Sampler } from './sampler.js';
import { createSide, type Side, type Transport } from './side.js';
import { haValetConfig, logTail, startHaValet, startNaiveLoop, type Supervisor } from './supervisors.js';

export type Mode = 'recovery' | 'injection';

export interface SoakOptions {
  durationS: number;
  seed: number;
  mode: Mode;
  transport: Transport;
  /** Keep the temp dir (logs, state, journal) instead of removing it. */
  keep?: boolean;
  signal?: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

export interface Footprint {
  rssKb: number;
  fds: number;
}

export interface SideResult {
  name: string;
  hosts: string[];
  command: string;
  stats: SideStats;
  footprint: {
    start: Footprint | null;
    end: Footprint | null;
    maxRssKb: number;
    maxFds: number;
    rssEachMinuteKb: number[];
  };
  /** Processes of this side still alive 2 s after its supervisor stopped (pid and command). */
  leftBehind: string[];
  /** Service instances running when the supervisor stopped. */
  instancesAtEnd: number;
  stopped: string;
  /** Lines of the supervisor's log matching each of LOG_PATTERNS. */
  logCounts: Record<string, number>;
  /** The longest stop command in ha-valet's log (ms), null for the naive loop. */
  longestStopMs: number | null;
}

/** What the report counts in the supervisor's log (ha-valet's words for holding back). */
export const LOG_PATTERNS = ['backing off', 'no host could start', 'given up', 'split brain'];

export interface SoakResult {
  options: Omit<SoakOptions, 'signal' | 'progress'>;
  config: string;
  faults: FaultEvent[];
  windowMs: number;
  loadBefore: number[];
  loadAfter: number[];
  sides: SideResult[];
  dir: string | null;
}

const HA_HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const NAIVE_HOSTS = ['127.0.0.12', '127.0.0.13', '127.0.0.14'];
/** No fault is injected in the last QUIET_MS of the run. */
const QUIET_MS = 5000;
/** How long to wait for one recovery before going on regardless. */
const RECOVERY_CAP_MS = 120_000;

/** Runs one soak (see the module comment). */
export async function runFaultSoak(options: SoakOptions): Promise<SoakResult> {
  const { signal } = options;
  const say = options.progress ?? ((): void => {});
  const root = mkdtempSync(path.join(os.tmpdir(), 'hv-fault-soak-'));
  const t0 = performance.now();
  const clock = (): number => performance.now() - t0;
  const sides: Side[] = [];
  const supervisors: Supervisor[] = [];
  const undos = new Set<() => Promise<void>>();
  let sampler: Sampler | null = null;
  try {
    const loadBefore = os.loadavg();
    sides.push(await createSide(root, 'ha-valet', HA_HOSTS, options.transport));
    sides.push(await createSide(root, 'naive', NAIVE_HOSTS, options.transport));
    supervisors.push(startHaValet(sides[0]!), startNaiveLoop(sides[1]!));
    sampler = new Sampler(sides, clock);
    sampler.start();
    await waitForHealthy(sampler, supervisors, signal);
    await sleep(2000, undefined, { signal });
    const runStart = clock();
    const feet = supervisors.map((s) => trackFootprint(s.child.pid!));
    say(
      `both sides up; injecting faults for ${options.durationS} s (${options.mode} mode, seed ${options.seed})`,
    );

    const random = seededRandom(options.seed);
    const sshdBusy = sides.map(() => new Set<string>());
    const faults: FaultEvent[] = [];
    const endAt = runStart + options.durationS * 1000;
    let last: FaultEvent | null = null;
    for (let id = 1; ; id += 1) {
      const plan = drawFault(random, id, options.transport);
      const gap = random.between(3000, 8000);
      const base: number = !last
        ? runStart
        : options.mode === 'injection'
          ? last.at
          : await recoveredAt(sampler, last, clock, signal);
      if (base + gap > endAt - QUIET_MS) break;
      await sleep(Math.max(0, base + gap - clock()), undefined, { signal });
      const applied: Applied[] = await Promise.all(
        sides.map((side, i) => applyFault(side, plan, sshdBusy[i]!)),
      );
      const at = clock();
      const event: FaultEvent = {
        id,
        kind: plan.kind,
        at,
        endedAt: IMMEDIATE.has(plan.kind) ? at : null,
        durationMs: LASTING.has(plan.kind) ? plan.durationMs : 0,
        sides: applied.map((a) => ({ applied: a.applied, host: a.host })),
      };
      faults.push(event);
      say(
        `${((at - runStart) / 1000).toFixed(1)} s: #${id} ${plan.kind} ${applied.map((a) => a.host ?? '-').join(' / ')}`,
      );
      if (LASTING.has(plan.kind)) scheduleUndo(event, applied, plan.durationMs, clock, undos);
      last = event;
    }

    await sleep(Math.max(0, endAt - clock()), undefined, { signal });
    say('faults over; waiting for the last recoveries');
    let recoveredBy = endAt;
    for (const fault of faults)
      recoveredBy = Math.max(recoveredBy, await recoveredAt(sampler, fault, clock, signal));
    const windowEnd = recoveredBy + 1000;
    await sleep(Math.max(0, windowEnd - clock()), undefined, { signal });
    const endFeet = supervisors.map((s) => footprint(s.child.pid!));
    await sampler.stop();
    const samples = sampler.resolved();
    const results: SideResult[] = [];
    for (const [i, supervisor] of supervisors.entries()) {
      const side = sides[i]!;
      const instancesAtEnd = side.hosts.reduce((n, h) => n + instancePids(h, side.port).length, 0);
      const stopped = await supervisor.stop(60_000);
      feet[i]!.stop();
      await sleep(2000);
      results.push({
        name: supervisor.name,
        hosts: side.hosts,
        command: supervisor.command,
        stats: analyseSide(samples, i, faults, runStart, windowEnd),
        footprint: {
          start: feet[i]!.start,
          end: endFeet[i] ?? null,
          maxRssKb: feet[i]!.maxRssKb(),
          maxFds: feet[i]!.maxFds(),
          rssEachMinuteKb: feet[i]!.rssEachMinuteKb,
        },
        leftBehind: leftBehind(side),
        instancesAtEnd,
        stopped,
        logCounts: countLogLines(supervisor.log),
        longestStopMs: longestStop(supervisor.log),
      });
    }
    return {
      options: {
        durationS: options.durationS,
        seed: options.seed,
        mode: options.mode,
        transport: options.transport,
        keep: options.keep,
      },
      config: haValetConfig(sides[0]!),
      faults: faults.map((f) => ({
        ...f,
        at: f.at - runStart,
        endedAt: f.endedAt === null ? null : f.endedAt - runStart,
      })),
      windowMs: windowEnd - runStart,
      loadBefore,
      loadAfter: os.loadavg(),
      sides: results,
      dir: options.keep ? root : null,
    };
  } finally {
    await sampler?.stop();
    for (const undo of undos) await undo().catch(() => {});
    for (const supervisor of supervisors) await supervisor.stop(5000).catch(() => '');
    for (const p of processesMentioning(root)) signalQuietly(p.pid, 'SIGKILL');
    const procs = listProcesses();
    for (const side of sides)
      for (const h of side.hosts)
        for (const pid of instancePids(h, side.port, procs)) signalQuietly(pid, 'SIGKILL');
    for (const side of sides) for (const sshd of side.sshds) await sshd.dispose().catch(() => {});
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
}

/** Lines of `log` matching each of LOG_PATTERNS (case-insensitive). */
function countLogLines(log: string): Record<string, number> {
  const lines = logTail(log, Infinity).toLowerCase().split('\n');
  return Object.fromEntries(LOG_PATTERNS.map((p) => [p, lines.filter((l) => l.includes(p)).length]));
}

/** The longest `stop` command ha-valet logged (`INFO stop … durationMs=N`), or null. */
function longestStop(log: string): number | null {
  const ms = [...logTail(log, Infinity).matchAll(/ INFO stop \S+ .*durationMs=(\d+)/g)].map((m) =>
    Number(m[1]),
  );
  return ms.length ? Math.max(...ms) : null;
}

/** Waits until both sides have exactly one instance up (60 s at most). */
async function waitForHealthy(
  sampler: Sampler,
  supervisors: Supervisor[],
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lastSample = sampler.resolved().at(-1);
    if (lastSample && lastSample.masks.every((m) => answering(m) === 1)) return;
    if (Date.now() > deadline) {
      const logs = supervisors.map((s) => `--- ${s.name} (${s.log}):\n${logTail(s.log)}`).join('\n');
      throw new Error(`the service did not come up on both sides within 60 s\n${logs}`);
    }
    await sleep(100, undefined, { signal });
  }
}

/** When `fault` was recovered on every side it applied to (waits; gives up after RECOVERY_CAP_MS). */
async function recoveredAt(
  sampler: Sampler,
  fault: FaultEvent,
  clock: () => number,
  signal?: AbortSignal,
): Promise<number> {
  const giveUpAt = clock() + fault.durationMs + RECOVERY_CAP_MS;
  for (;;) {
    const samples = sampler.resolved();
    const states = fault.sides.map((side, i) => (side.applied ? recoveryOf(samples, i, fault) : null));
    if (states.every((s) => s === null || s.state === 'done'))
      return Math.max(fault.at, ...states.map((s) => (s && s.state === 'done' ? s.at : fault.at)));
    if (clock() > giveUpAt) return clock();
    await sleep(100, undefined, { signal });
  }
}

/** Undoes a lasting fault on every side after `ms`, then marks it ended. */
function scheduleUndo(
  event: FaultEvent,
  applied: Applied[],
  ms: number,
  clock: () => number,
  undos: Set<() => Promise<void>>,
): void {
  const undo = async (): Promise<void> => {
    undos.delete(undo);
    clearTimeout(timer);
    await Promise.all(applied.map((a) => a.undo?.()));
    event.endedAt ??= clock();
  };
  const timer = setTimeout(() => void undo(), ms);
  undos.add(undo);
}

/** Samples PID's RSS and fds every 5 s; remembers the first sample, the maxima and RSS each minute. */
function trackFootprint(pid: number): {
  start: Footprint | null;
  maxRssKb(): number;
  maxFds(): number;
  rssEachMinuteKb: number[];
  stop(): void;
} {
  const start = footprint(pid);
  let maxRssKb = start?.rssKb ?? 0;
  let maxFds = start?.fds ?? 0;
  const rssEachMinuteKb: number[] = [];
  let ticks = 0;
  const timer = setInterval(() => {
    const now = footprint(pid);
    if (!now) return;
    maxRssKb = Math.max(maxRssKb, now.rssKb);
    maxFds = Math.max(maxFds, now.fds);
    if (++ticks % 12 === 0) rssEachMinuteKb.push(now.rssKb);
  }, 5000);
  return {
    start,
    maxRssKb: () => maxRssKb,
    maxFds: () => maxFds,
    rssEachMinuteKb,
    stop: () => clearInterval(timer),
  };
}

/** This side's processes still alive after its supervisor stopped, and its sshds' sessions. */
function leftBehind(side: Side): string[] {
  const procs = listProcesses();
  const found = processesMentioning(side.dir, procs).map((p) => `${p.pid} ${p.argv.join(' ')}`);
  for (const sshd of side.sshds) {
    if (sshd.pid === null) continue;
    for (const pid of descendantsOf(sshd.pid)) {
      const p = procs.find((x) => x.pid === pid);
      if (p && p.state !== 'Z') found.push(`${pid} ${p.argv.join(' ')} (sshd session)`);
    }
  }
  return [...new Set(found)];
}
