/**
 * Leader takeover after SIGKILL of the leading watcher, and how long a leader
 * behind a frozen link keeps believing it leads. Prints figures, asserts nothing.
 *   node <outDir>/bench/etcd-failover.js [trials=5] [ttlMs=2000]
 * Followers call acquire() every POLL_MS (a stand-in for the watch interval).
 */
import { EtcdCoordinator } from '../src/coord/etcd-coordinator.js';
import type { EtcdSettings } from '../src/config/model.js';
import { spawnWatcher, startEtcd, startProxy, type EtcdCluster } from '../test/helpers/etcd.js';

const POLL_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One SIGKILL trial: ms from the kill to a follower's Leadership, and how many followers led. */
async function measureTakeover(
  etcd: EtcdCluster,
  settings: EtcdSettings,
): Promise<{ ms: number; leaders: number }> {
  const child = spawnWatcher(settings, 'victim');
  const followers = [
    new EtcdCoordinator(settings, { watcherId: 'f1' }),
    new EtcdCoordinator(settings, { watcherId: 'f2' }),
  ];
  try {
    await child.waitFor('leader');
    await Promise.all(followers.map((f) => f.acquire()));
    const killedAt = Date.now();
    await child.kill();
    for (;;) {
      const results = await Promise.all(followers.map((f) => f.acquire().catch(() => null)));
      const leaders = results.filter(Boolean).length;
      if (leaders > 0) return { ms: Date.now() - killedAt, leaders };
      await sleep(POLL_MS);
    }
  } finally {
    await child.kill();
    await Promise.all(followers.map((f) => f.close()));
    void etcd;
  }
}

/** One freeze trial: ms from the freeze until the old leader's isValid() is false, and until a new leader exists. */
async function measureFreeze(
  etcd: EtcdCluster,
  settings: EtcdSettings,
): Promise<{ invalidMs: number; electedMs: number }> {
  const proxy = await startProxy(etcd.members[0]!.clientPort);
  const frozen = new EtcdCoordinator({ ...settings, endpoints: [proxy.url] }, { watcherId: 'frozen' });
  const other = new EtcdCoordinator(settings, { watcherId: 'other' });
  try {
    const leadership = await frozen.acquire();
    if (!leadership) throw new Error('the frozen-to-be watcher did not lead');
    await other.acquire();
    const frozenAt = Date.now();
    proxy.freeze();
    let invalidMs = -1;
    const watcher = setInterval(() => {
      if (invalidMs < 0 && !leadership.isValid()) invalidMs = Date.now() - frozenAt;
    }, 10);
    let electedMs = -1;
    while (electedMs < 0) {
      if (await other.acquire().catch(() => null)) electedMs = Date.now() - frozenAt;
      else await sleep(POLL_MS);
    }
    clearInterval(watcher);
    return { invalidMs, electedMs };
  } finally {
    await proxy.kill();
    await Promise.all([frozen.close(), other.close()]);
  }
}

/** Median of numbers. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const trials = Number(process.argv[2] ?? 5);
const ttlMs = Number(process.argv[3] ?? 2000);
const etcd = await startEtcd(1);
try {
  const takeovers: number[] = [];
  let doubles = 0;
  for (let i = 0; i < trials; i++) {
    const { ms, leaders } = await measureTakeover(etcd, {
      endpoints: etcd.endpoints,
      prefix: `/bench-k${i}/`,
      leaseTtlMs: ttlMs,
    });
    takeovers.push(ms);
    if (leaders !== 1) doubles++;
  }
  const freezes: Array<{ invalidMs: number; electedMs: number }> = [];
  for (let i = 0; i < Math.min(trials, 3); i++) {
    freezes.push(
      await measureFreeze(etcd, { endpoints: etcd.endpoints, prefix: `/bench-f${i}/`, leaseTtlMs: ttlMs }),
    );
  }
  process.stdout.write(
    [
      `lease_ttl ${ttlMs} ms, followers poll every ${POLL_MS} ms, ${trials} trials`,
      `takeover after SIGKILL of the leader: median ${median(takeovers)} ms, max ${Math.max(...takeovers)} ms (${takeovers.join(', ')})`,
      `trials with more than one new leader: ${doubles}`,
      `frozen link: old leader invalid after median ${median(freezes.map((f) => f.invalidMs))} ms; new leader after median ${median(freezes.map((f) => f.electedMs))} ms (${freezes.map((f) => `${f.invalidMs}/${f.electedMs}`).join(', ')})`,
      '',
    ].join('\n'),
  );
} finally {
  await etcd.stop();
}
