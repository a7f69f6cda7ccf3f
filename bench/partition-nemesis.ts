/**
 * The issue-12 nemesis for longer: three watchers, two service hosts over SSH,
 * three etcd members and a client, each in its own network namespace; seeded
 * random partitions, crashes and power-offs. Prints the takeover time after a
 * real host death (median/max), double-active time (total and by the fault
 * before it), fences run and failovers. Asserts nothing. Needs root.
 *   node dist/bench/partition-nemesis.js [seconds=300] [seed=1]
 * HV_NEMESIS_VERBOSE=1 prints each fault; HV_NEMESIS_LOGS=FILE keeps the watchers' logs.
 */
import { writeFileSync } from 'node:fs';
import { PartitionCluster } from '../test/netns/cluster.js';
import { describeReport, runNemesis } from '../test/netns/nemesis.js';

const seconds = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? 1);
const verbose = process.env.HV_NEMESIS_VERBOSE === '1';
/** Where to write every watcher's whole log afterwards (HV_NEMESIS_LOGS=FILE). */
const logFile = process.env.HV_NEMESIS_LOGS;

const cluster = await PartitionCluster.start({ tag: 'hvb' });
try {
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
