/**
 * Issue 12's partition world for longer: three watchers, two service hosts
 * over SSH, three etcd members and a client, each in its own network
 * namespace. First `deaths` clean trials (settled world, the serving host
 * powered off: link down, every process killed) measure the takeover time the
 * client sees; then the seeded nemesis (partitions, crashes, power-offs) runs
 * for `seconds`. Prints takeover times (median/max), double-active time (total
 * and by the fault before it), fences run and failovers. Asserts nothing; needs root.
 *   node dist/bench/partition-nemesis.js [seconds=300] [seed=1] [deaths=5]
 * HV_NEMESIS_VERBOSE=1 prints each fault; HV_NEMESIS_LOGS=FILE keeps the watchers' logs.
 */
import { writeFileSync } from 'node:fs';
import { waitFor } from '../test/coord-e2e/watch-process.js';
import { doubleActiveWindows, medianMax, totalMs } from '../test/netns/checker.js';
import { PartitionCluster } from '../test/netns/cluster.js';
import { describeReport, runNemesis } from '../test/netns/nemesis.js';

const seconds = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 1);
const deaths = Number(process.argv[4] ?? 5);
const verbose = process.env.HV_NEMESIS_VERBOSE === '1';
/** Where to write every watcher's whole log afterwards (HV_NEMESIS_LOGS=FILE). */
const logFile = process.env.HV_NEMESIS_LOGS;

/** One clean host death: ms until h2 answers after h1 (serving) is powered off, and double-active ms. */
async function hostDeath(cluster: PartitionCluster): Promise<{ takeoverMs: number; doubleMs: number }> {
  const since = await cluster.beginScenario('works');
  await cluster.waitSettled('h1');
  const offAt = Date.now();
  await cluster.powerOff('h1');
  const answered = await waitFor(
    () => cluster.samplesSince(offAt).find((s) => s.up.includes('h2')),
    60_000,
    () => `no takeover after h1 was powered off\n${cluster.logs()}`,
  );
  return {
    takeoverMs: answered.t - offAt,
    doubleMs: totalMs(doubleActiveWindows(cluster.samplesSince(since))),
  };
}

const cluster = await PartitionCluster.start({ tag: 'hvb' });
try {
  const trials = [];
  for (let i = 0; i < deaths; i++) trials.push(await hostDeath(cluster));
  const figures = medianMax(trials.map((t) => t.takeoverMs));
  console.log(
    `clean host death (serving host powered off), ${figures.count} trials: takeover median ${figures.median} ms, ` +
      `max ${figures.max} ms (${trials.map((t) => t.takeoverMs).join(', ')}); ` +
      `double-active ${trials.reduce((sum, t) => sum + t.doubleMs, 0)} ms`,
  );
  const report = await runNemesis(cluster, {
    seed,
    durationMs: seconds * 1000,
    log: verbose ? (line) => console.log(line) : undefined,
  });
  for (const line of describeReport(report)) console.log(line);
  if (report.unfenced.length > 0) console.log(`unfenced takeovers: ${JSON.stringify(report.unfenced)}`);
  if (logFile) writeFileSync(logFile, cluster.logs(Infinity));
} finally {
  await cluster.destroy();
}
