/**
 * Issue 12, scenario 6: a seeded random nemesis for 120 s over the partition
 * network (splits, isolated nodes, crashed instances, powered-off hosts), then
 * a checker over the client's samples and the journal: no two instances
 * answering the client, and every takeover from a host still answering
 * preceded by a successful fence. HV_NEMESIS_SEED replays another seed.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PartitionCluster } from './cluster.js';
import { describeReport, runNemesis } from './nemesis.js';

const SEED = Number(process.env.HV_NEMESIS_SEED ?? 12);
const DURATION_MS = 120_000;

let cluster: PartitionCluster | null = null;
after(async () => {
  await cluster?.destroy();
});

test(`6: random nemesis for ${DURATION_MS / 1000} s (seed ${SEED}): never two instances, no takeover without a fence`, async (t) => {
  cluster = await PartitionCluster.start({ tag: 'hvm' });
  const report = await runNemesis(cluster, {
    seed: SEED,
    durationMs: DURATION_MS,
    log: (line) => t.diagnostic(line),
  });
  for (const line of describeReport(report)) t.diagnostic(line);

  assert.ok(report.faults.length >= 15, `the nemesis ran (${report.faults.length} faults)`);
  assert.deepEqual(report.unfenced, [], `takeovers without a fence first\n${cluster.logs()}`);
  assert.deepEqual(report.doubleWindows, [], `the client saw two instances\n${cluster.logs()}`);
  assert.ok(report.starts >= 1, 'the service was started');
  assert.deepEqual(
    cluster.samples.at(-1)?.up.length,
    1,
    `one instance answers at the end\n${cluster.logs()}`,
  );
});
