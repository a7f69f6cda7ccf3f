/**
 * Issue 12 end to end on loopback: three real `ha-valet watch` processes on one
 * etcd. Each watcher's view of a host is faked by its test command, which
 * answers 255 (unreachable) while a file named after the watcher and the host
 * exists. Only the leader blinded: no second start, the disagreement shows as a
 * WARNING. Everyone blinded, with a fence that really stops the old instance:
 * fence, then failover, never two instances. Everyone blinded again with a
 * failing fence: no failover, `unsafe`, CRITICAL.
 */
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEMO_SERVICE, DEMO_TEST } from '../helpers/demo-env.js';
import type { JournalEntry } from '../../src/state/model.js';
import { firstLeader, INTERVAL_MS, logsOf, sleep, startWorld, waitFor, type World } from './harness.js';

let world: World | null = null;
after(async () => {
  await world?.cleanup();
});

const A = '127.0.0.2';
const B = '127.0.0.3';

test('observer quorum and fencing with three real watchers on etcd', async (t) => {
  world = await startWorld({
    // One leader throughout: the test blinds that one (a 2 s lease can flap on a loaded 2-core box).
    leaseTtlMs: 5000,
    defaults: ['observation_max_age = 5s'],
    test: (dir) => `[ -e ${dir}/blind-$E2E_TAG-{host} ] && exit 255; ${DEMO_TEST}`,
    extra: (dir, port) => [
      `fence = [ ! -e ${dir}/fence-fails ] || exit 1; HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} stop {host} ${port}`,
      'fence_timeout = 10s',
    ],
  });
  const w = world;
  const blind = (tag: string, host: string) => path.join(w.demo.dir, `blind-${tag}-${host}`);
  const blindAll = (host: string) => Promise.all(w.watchers.map((x) => writeFile(blind(x.tag, host), '')));
  const status = async () => {
    const result = await w.cli(['status', '--json']);
    return JSON.parse(result.stdout) as { overall: string; processes: Array<Record<string, unknown>> };
  };
  const events = async (event: string): Promise<JournalEntry[]> =>
    (await w.journal()).filter((e) => e.event === event);

  const leader = await firstLeader(w);
  assert.deepEqual(await w.upHosts(), [A]);
  const startsBefore = (await w.starts()).length;

  // 1. Only the leader loses sight of the active host: it must not start a second instance.
  await writeFile(blind(leader.tag, A), '');
  const blindAt = Date.now();
  const held = await waitFor(
    () =>
      leader.matching(
        /127\.0\.0\.2 unreachable from this watcher, up for 2 of 3 watchers: not failing over/,
        blindAt,
      )[0],
    15_000,
    () => `the leader did not hold back\n${logsOf(w.watchers)}`,
  );
  t.diagnostic(`leader: ${held.message}`);
  await sleep(8 * INTERVAL_MS);
  assert.equal((await w.starts()).length, startsBefore, 'no second start');
  assert.deepEqual(await w.upHosts(), [A]);
  const [report, nagios] = await Promise.all([status(), w.cli(['nagios'])]);
  const svc = report.processes[0]!;
  assert.equal(svc.state, 'up');
  assert.equal(svc.severity, 'warning', JSON.stringify(svc));
  assert.match(
    String(svc.disagreement),
    /127\.0\.0\.2 unreachable from this watcher, up for 2 of 3 watchers/,
  );
  assert.equal(nagios.code, 1, nagios.stdout);
  assert.match(nagios.stdout, /^HA-VALET WARNING - .*watchers disagree: 127\.0\.0\.2 unreachable/);
  await rm(blind(leader.tag, A));

  // 2. Every watcher loses sight of it (the client still could): fence it for real, then fail over.
  await blindAll(A);
  const cutAt = Date.now();
  await waitFor(
    async () => (await w.starts()).some((s, i) => i >= startsBefore && s.phase === 'done' && s.host === B),
    30_000,
    () => `no failover to ${B}\n${logsOf(w.watchers)}`,
  );
  t.diagnostic(`fenced and failed over ${Date.now() - cutAt} ms after every watcher lost sight of ${A}`);
  const journal = await w.journal();
  const fence = journal.findIndex((e) => e.event === 'fence' && e.host === A && e.ok === true);
  const start = journal.findIndex((e) => e.event === 'start' && e.host === B && e.ok === true);
  assert.ok(
    fence >= 0 && start > fence,
    `fence of ${A} journaled before the start on ${B}: ${JSON.stringify(journal)}`,
  );
  assert.match(journal[fence]!.command ?? '', /demo-service\.mjs stop 127\.0\.0\.2/);
  assert.equal(journal[fence]!.exitCode, 0);
  assert.deepEqual(await w.upHosts(), [B]);
  assert.equal(w.monitor.maxUp, 1, `never two instances up: ${JSON.stringify(w.monitor.doubles)}`);
  const afterFence = (await status()).processes[0]!;
  assert.equal((afterFence.lastFence as { host: string; ok: boolean }).host, A);
  assert.equal((afterFence.lastFence as { ok: boolean }).ok, true);

  // 3. The same on the new host with a fence that fails: no failover, not safely recoverable.
  await Promise.all(w.watchers.map((x) => rm(blind(x.tag, A))));
  await writeFile(path.join(w.demo.dir, 'fence-fails'), '');
  const startsNow = (await w.starts()).length;
  await blindAll(B);
  await waitFor(
    async () => (await events('fence')).some((e) => e.host === B && e.ok === false),
    20_000,
    () => `no failed fence of ${B}\n${logsOf(w.watchers)}`,
  );
  await sleep(6 * INTERVAL_MS);
  assert.equal((await w.starts()).length, startsNow, 'no failover without a fence');
  assert.deepEqual(await w.upHosts(), [B], 'the old instance still runs, and only it');
  const [unsafe, critical] = await Promise.all([status(), w.cli(['nagios'])]);
  const proc = unsafe.processes[0]!;
  t.diagnostic(`status: ${String(proc.summary)}`);
  assert.equal(proc.state, 'unsafe', JSON.stringify(proc));
  assert.equal(proc.severity, 'critical');
  assert.match(
    String(proc.summary),
    /not safely recoverable: 127\.0\.0\.3 is not confirmed down .* its fence failed \(fence failed, exit 1[;)]/,
  );
  assert.equal(critical.code, 2, critical.stdout);
  assert.equal(w.monitor.maxUp, 1, `never two instances up: ${JSON.stringify(w.monitor.doubles)}`);
});
