/**
 * A seeded random nemesis over a PartitionCluster (Jepsen's idea, small):
 * every few seconds it heals, splits the network in two at random, isolates
 * one node, crashes the serving instance, or powers the serving host off (in a
 * healed network, then waits for the takeover so its time is measured
 * cleanly). Hosts that are off (by the nemesis or by a fence) come back on
 * after a while. The report is read from the client's samples, the journal and
 * the fence script's own log.
 */
import type { JournalEntry } from '../../src/state/model.js';
import { sleep, waitFor } from '../coord-e2e/watch-process.js';
import {
  doubleActiveWindows,
  medianMax,
  takeovers,
  totalMs,
  type DoubleWindow,
  type Takeover,
} from './checker.js';
import type { PartitionCluster } from './cluster.js';

/** A host stays off this long before the nemesis powers it on again. */
const POWER_ON_AFTER_MS = 8000;
/** After the serving host is powered off, how long the nemesis waits for another host to answer. */
const TAKEOVER_WAIT_MS = 40_000;
/** After the last fault: heal, power everything on, and let it settle this long before reading the results. */
const SETTLE_MS = 8000;

export interface NemesisOptions {
  seed: number;
  durationMs: number;
  /** Called with one line per fault. */
  log?: (line: string) => void;
}

export interface NemesisReport {
  seed: number;
  durationMs: number;
  faults: Array<{ at: number; what: string }>;
  doubleWindows: DoubleWindow[];
  doubleMs: number;
  takeovers: Takeover[];
  /** Takeovers from a host not confirmed down without a successful fence first. */
  unfenced: Takeover[];
  /** Fences that really powered a host off. */
  fencesRun: number;
  fencesFailed: number;
  /** Successful starts in the journal. */
  starts: number;
  /** Successful starts on a host other than the one that served before. */
  failovers: number;
  /** Per power-off of the serving host: ms until another host answered the client (null: none within the wait). */
  deathTakeoverMs: Array<number | null>;
  /** Share of samples with at least one instance answering. */
  availability: number;
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the nemesis for `durationMs` on a fresh scenario of `cluster` and reports what happened. */
export async function runNemesis(cluster: PartitionCluster, options: NemesisOptions): Promise<NemesisReport> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const nodes = [...cluster.watcherNames, ...cluster.hostNames, ...cluster.etcdNames];
  const faults: NemesisReport['faults'] = [];
  const deathTakeoverMs: Array<number | null> = [];
  const crashes: Array<[number, string]> = [];
  const offSince = new Map<string, number>();
  const journal = new Map<string, JournalEntry>();
  const note = (what: string): void => {
    faults.push({ at: Date.now(), what });
    options.log?.(`${new Date().toISOString()} nemesis: ${what} (cuts: ${cluster.topology.describeCuts()})`);
  };
  /** Keeps every journal entry seen (etcd keeps only the newest ones). */
  const collectJournal = async (): Promise<void> => {
    for (const entry of await cluster.journal()) journal.set(JSON.stringify(entry), entry);
  };
  const serving = (): string | undefined => cluster.samples.at(-1)?.up[0];

  const since = await cluster.beginScenario('works');
  await cluster.waitSettled('h1');
  const startedAt = Date.now();
  let lastJournalRead = startedAt;
  /** Powers on every host that has been off (by the nemesis or a fence) for POWER_ON_AFTER_MS. */
  const powerOnDue = async (): Promise<void> => {
    for (const host of cluster.hostNames) {
      if (cluster.isOn(host)) offSince.delete(host);
      else if (!offSince.has(host)) offSince.set(host, Date.now());
      else if (Date.now() - offSince.get(host)! >= POWER_ON_AFTER_MS) {
        await cluster.powerOn(host);
        offSince.delete(host);
        note(`power on ${host}`);
      }
    }
  };
  while (Date.now() - startedAt < options.durationMs) {
    await powerOnDue();
    const roll = random();
    if (roll < 0.25) {
      cluster.topology.heal();
      note('heal');
    } else if (roll < 0.5) {
      const sides = nodes.map(() => random() < 0.5);
      if (sides.every(Boolean) || !sides.some(Boolean)) sides[0] = !sides[0];
      cluster.topology.partition([nodes.filter((_, i) => sides[i]), nodes.filter((_, i) => !sides[i])]);
      note('split');
    } else if (roll < 0.7) {
      const node = pick(nodes);
      cluster.topology.partition([[node], nodes.filter((n) => n !== node)]);
      note(`isolate ${node}`);
    } else if (roll < 0.85) {
      const host = serving();
      if (host) {
        cluster.killService(host);
        crashes.push([Date.now(), host]);
        note(`crash the instance on ${host}`);
      }
    } else {
      const host = serving();
      if (host && cluster.hostNames.some((h) => h !== host && cluster.isOn(h))) {
        cluster.topology.heal();
        await cluster.powerOff(host);
        const offAt = Date.now();
        note(`power off ${host}`);
        const other = await waitFor(
          async () => {
            await powerOnDue();
            return cluster.samplesSince(offAt).find((s) => s.up.some((h) => h !== host)) ?? null;
          },
          TAKEOVER_WAIT_MS,
          () => '',
        ).catch(() => null);
        deathTakeoverMs.push(other ? other.t - offAt : null);
      }
    }
    if (Date.now() - lastJournalRead > 30_000) {
      await collectJournal();
      lastJournalRead = Date.now();
    }
    await sleep(2000 + Math.floor(random() * 3000));
  }
  cluster.topology.heal();
  for (const host of cluster.hostNames) if (!cluster.isOn(host)) await cluster.powerOn(host);
  note('end: heal, power everything on');
  await sleep(SETTLE_MS);
  await collectJournal();

  const entries = [...journal.values()].sort((a, b) => a.at - b.at);
  const samples = cluster.samplesSince(since);
  const fences = cluster.fences(since);
  const doubleWindows = doubleActiveWindows(samples.filter((s) => s.t >= startedAt));
  const checked = takeovers(entries, samples, fences, crashes);
  const starts = entries.filter((e) => e.event === 'start' && e.ok === true);
  let previous: string | null = null;
  let failovers = 0;
  for (const start of starts) {
    if (previous !== null && start.host !== previous) failovers += 1;
    previous = start.host ?? null;
  }
  return {
    seed: options.seed,
    durationMs: options.durationMs,
    faults,
    doubleWindows,
    doubleMs: totalMs(doubleWindows),
    takeovers: checked,
    unfenced: checked.filter((x) => !x.fencedInJournal || !x.fencedForReal),
    fencesRun: fences.length,
    fencesFailed: entries.filter((e) => e.event === 'fence' && e.ok === false).length,
    starts: starts.length,
    failovers,
    deathTakeoverMs,
    availability: samples.filter((s) => s.up.length > 0).length / Math.max(1, samples.length),
  };
}

/** The report as a few human lines. */
export function describeReport(report: NemesisReport): string[] {
  const deaths = medianMax(report.deathTakeoverMs.filter((ms): ms is number => ms !== null));
  const missed = report.deathTakeoverMs.filter((ms) => ms === null).length;
  const byFault = new Map<string, number>();
  for (const window of report.doubleWindows) {
    const cause = report.faults.filter((f) => f.at <= window.from).at(-1)?.what ?? 'start';
    const kind = cause.replace(/ (h|w|e)\d+$/, '').replace(/ on h\d+$/, '');
    byFault.set(kind, (byFault.get(kind) ?? 0) + window.ms);
  }
  return [
    `seed ${report.seed}, ${report.durationMs / 1000} s, ${report.faults.length} faults`,
    `takeover after the serving host was powered off: median ${deaths.median} ms, max ${deaths.max} ms over ${deaths.count}` +
      (missed ? ` (${missed} with no takeover within ${TAKEOVER_WAIT_MS / 1000} s)` : ''),
    `double-active as the client saw it: ${report.doubleMs} ms in ${report.doubleWindows.length} windows` +
      report.doubleWindows
        .map((w) => ` [${new Date(w.from).toISOString()} ${w.ms} ms ${w.hosts.join('+')}]`)
        .join(''),
    `double-active by the fault before it: ${[...byFault].map(([kind, ms]) => `${kind} ${ms} ms`).join(', ') || 'none'}`,
    `fences run ${report.fencesRun}, failed ${report.fencesFailed}; starts ${report.starts}, failovers ${report.failovers}`,
    `takeovers from a host not confirmed down ${report.takeovers.length}, without a fence first ${report.unfenced.length}`,
    `availability (samples with an instance answering) ${(report.availability * 100).toFixed(1)} %`,
  ];
}
