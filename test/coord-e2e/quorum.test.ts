/**
 * Issue 7 end to end on a 3-member etcd: one member down changes nothing; two
 * down (quorum lost) → no watcher acts, all report `coordination lost`, a dead
 * instance is not restarted; members back → it is restarted once.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startEtcd, type EtcdCluster } from '../helpers/etcd.js';
import { INTERVAL_MS, leaderOf, logsOf, sleep, startWorld, TTL_MS, waitFor, type World } from './harness.js';

let etcd: EtcdCluster | null = null;
let world: World | null = null;
after(async () => {
  await world?.cleanup();
  await etcd?.stop();
});

test('3-member etcd: one member down changes nothing; quorum lost stops everyone; members back resume', async (t) => {
  etcd = await startEtcd(3);
  world = await startWorld({ etcd });
  const w = world;
  const cluster = etcd;
  await waitFor(
    async () => (await w.starts()).some((s) => s.phase === 'done'),
    20_000,
    () => `no start completed\n${logsOf(w.watchers)}`,
  );
  // Every watcher has taken its role (on a loaded machine one may log its first only seconds after
  // the leader started the service): "no change of role" is about roles already taken.
  await waitFor(
    () => w.watchers.every((x) => x.matching(/^(leading|following):/).length > 0),
    20_000,
    () => `not every watcher logged its role\n${logsOf(w.watchers)}`,
  );
  const leader = await waitFor(
    () => leaderOf(w.watchers),
    5000,
    () => 'no leader',
  );
  const startsBefore = (await w.starts()).length;

  // One member down (not the raft leader: an election would pause keepalives).
  const raftLeader = await cluster.raftLeader();
  const [first, second] = [0, 1, 2].filter((i) => i !== raftLeader);
  await cluster.kill(first!);
  const oneDownAt = Date.now();
  await sleep(TTL_MS * 1.5);
  assert.equal(leaderOf(w.watchers), leader, 'the same watcher leads');
  for (const watcher of w.watchers) {
    assert.deepEqual(
      watcher.matching(/^(leading|following|coordination lost)/, oneDownAt).map((l) => l.message),
      [],
      `${watcher.tag}: no change of role with one member down\n${logsOf(w.watchers)}`,
    );
  }
  assert.equal((await w.starts()).length, startsBefore, 'no new start with one member down');
  assert.deepEqual(await w.upHosts(), ['127.0.0.2']);

  // Quorum lost: everyone reports it and nobody acts.
  await cluster.kill(second!);
  const lostAt = Date.now();
  // A watcher started during the outage keeps running (probing, not acting) and joins later.
  const late = w.spawnWatcher('late');
  await waitFor(
    () => w.watchers.every((x) => x.matching(/^coordination lost: /, lostAt).length > 0),
    15_000,
    () => `not every watcher reported coordination lost\n${logsOf(w.watchers)}`,
  );
  t.diagnostic(`all watchers report coordination lost after ${Date.now() - lostAt} ms`);
  assert.equal(w.demo.service('stop', '127.0.0.2'), 0);

  const [status, nagios] = await Promise.all([
    w.cli(['status', '--json']),
    w.cli(['nagios']),
    waitFor(
      () => late.matching(/^coordination lost: /).length > 0,
      15_000,
      () => `the late watcher did not report coordination lost\n${late.text()}`,
    ),
    sleep(6 * INTERVAL_MS),
  ]);
  t.diagnostic(
    `status --json without quorum: exit ${status.code} ${status.stdout.slice(0, 600)} ${status.stderr.slice(0, 300)}`,
  );
  t.diagnostic(`nagios without quorum: exit ${nagios.code} ${nagios.stdout.trim()}`);
  assert.notEqual(status.code, 0, 'status is not OK without quorum');
  assert.equal(JSON.parse(status.stdout).coordination.ok, false, 'status --json reports coordination health');
  assert.equal(nagios.code, 2, `nagios is CRITICAL without quorum: ${nagios.stdout}`);
  assert.match(nagios.stdout, /^HA-VALET CRITICAL - .*coordination lost/);

  assert.ok(late.alive, `a watcher started without quorum keeps running\n${late.text()}`);
  assert.deepEqual(await w.upHosts(), [], 'the dead instance is not restarted while quorum is lost');
  assert.equal((await w.starts()).length, startsBefore, 'no start while quorum is lost');
  for (const watcher of w.watchers) {
    assert.deepEqual(watcher.matching(/^(start|stop) Svc@/, lostAt), [], `${watcher.tag} did not act`);
    const errors = watcher.matching(/cycle failed/, lostAt).filter((l) => l.level === 'error');
    assert.ok(
      errors.length <= 1,
      `${watcher.tag}: a failing cycle is logged once per outage, not every cycle`,
    );
  }

  // Members back: one leader again, the instance restarted exactly once.
  await cluster.restart(first!);
  await cluster.restart(second!);
  const backAt = Date.now();
  await cluster.waitHealthy();
  await waitFor(
    async () => (await w.starts()).some((s, i) => i >= startsBefore && s.phase === 'done'),
    30_000,
    () => `not restarted after quorum came back\n${logsOf(w.watchers)}`,
  );
  t.diagnostic(`restarted ${Date.now() - backAt} ms after the members were started again`);
  await sleep(4 * INTERVAL_MS);
  const restarts = (await w.starts()).slice(startsBefore);
  assert.equal(restarts.filter((s) => s.phase === 'begin').length, 1, JSON.stringify(restarts));
  assert.equal((await w.upHosts()).length, 1);
  assert.equal(w.monitor.maxUp, 1, `never two instances up: ${JSON.stringify(w.monitor.doubles)}`);
  for (const watcher of w.watchers) {
    assert.ok(
      watcher.matching(/^coordination back: /, backAt).length > 0,
      `${watcher.tag} reports coordination back\n${watcher.text()}`,
    );
  }
  const [view, healthy] = await Promise.all([w.cluster(), w.cli(['status', '--json'])]);
  assert.equal(view.health.ok, true);
  assert.equal(view.watchers.length, 4, `the late watcher joined: ${JSON.stringify(view)}`);
  assert.equal(view.watchers.filter((x) => x.leader).length, 1);
  assert.equal(JSON.parse(healthy.stdout).coordination?.ok, true, healthy.stdout);
});
