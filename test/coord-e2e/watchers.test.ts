/**
 * Issue 7 end to end on one etcd member, one world for the whole file: three
 * `ha-valet watch` processes on one machine, exactly one acts; operator
 * requests from "another host" go through etcd to the leader; SIGKILL of the
 * leader mid-start → another takes over and the service stays single-active.
 * The tests run in order on the same watchers.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import {
  childrenOf,
  INTERVAL_MS,
  leaderOf,
  logsOf,
  sleep,
  startWorld,
  TTL_MS,
  waitFor,
  type World,
} from './harness.js';

/** The epoch in a `leading: … (epoch X)` line. */
function epochOf(line: { message: string } | undefined): string | undefined {
  return line?.message.match(/epoch (\S+?)\)/)?.[1];
}

describe('three ha-valet watchers on one etcd member', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.cleanup();
  });

  test('exactly one acts: one start, cluster shows three watchers and one leader', async () => {
    const w = world;
    await waitFor(
      async () => (await w.starts()).some((s) => s.phase === 'done'),
      20_000,
      () => `no start completed\n${logsOf(w.watchers)}`,
    );
    await waitFor(
      async () => (await w.upHosts()).length === 1,
      10_000,
      () => 'service not up',
    );
    await sleep(4 * INTERVAL_MS); // more cycles of every watcher: nobody starts again
    const starts = await w.starts();
    assert.deepEqual(
      starts.map((s) => `${s.phase} ${s.host}`),
      ['begin 127.0.0.2', 'done 127.0.0.2'],
      `exactly one start, on the preferred host\n${logsOf(w.watchers)}`,
    );
    assert.deepEqual(await w.upHosts(), ['127.0.0.2']);

    const leader = leaderOf(w.watchers);
    assert.ok(leader, `one watcher logs that it leads\n${logsOf(w.watchers)}`);
    assert.equal(starts[0]!.tag, leader.tag, 'the leader ran the start');
    for (const follower of w.watchers.filter((x) => x !== leader)) {
      assert.deepEqual(follower.matching(/^(start|stop) Svc@/), [], `${follower.tag} ran no start/stop`);
      assert.deepEqual(follower.matching(/state not saved/), [], `${follower.tag} does not try to save`);
      assert.ok(follower.matching(/^following: /).length > 0, `${follower.tag} logs that it follows`);
      assert.ok(
        follower.matching(/\[following: not acting\]$/).length > 0,
        `${follower.tag} runs dry cycles (probe + publish)`,
      );
    }

    const askedAt = Date.now();
    const cluster = await w.cluster();
    assert.equal(cluster.health.ok, true);
    assert.equal(cluster.watchers.length, 3, JSON.stringify(cluster));
    assert.deepEqual(
      cluster.watchers.filter((x) => x.leader).map((x) => x.id),
      [leader.id],
    );
    assert.equal(cluster.health.leader, leader.id);
    for (const watcher of cluster.watchers) {
      assert.ok(
        watcher.lastHeartbeat > askedAt - 3000,
        `${watcher.id}${watcher.leader ? ' (leader)' : ''} heartbeat is fresh: ${askedAt - watcher.lastHeartbeat} ms old`,
      );
    }

    const epoch = epochOf(leader.matching(/^leading: /)[0]);
    assert.ok(epoch, 'the leader logs its epoch');
    const journal = await w.journal();
    assert.equal(journal.filter((e) => e.event === 'start' || e.event === 'stop').length, 1);
    for (const entry of journal)
      assert.equal(entry.epoch, epoch, `journal line with epoch: ${JSON.stringify(entry)}`);
    assert.equal(w.monitor.maxUp, 1, `never two instances up: ${JSON.stringify(w.monitor.doubles)}`);
  });

  test('move and maintenance requests from another host are carried out by the leader only', async () => {
    const w = world;
    const leader = await waitFor(
      () => leaderOf(w.watchers),
      5000,
      () => 'no leader',
    );
    const operator = w.operator();
    const by = `ops@${os.hostname()}-elsewhere`;
    const startsBefore = (await w.starts()).length;

    await operator.submitRequest('Svc', { type: 'move', host: '127.0.0.3', by, at: Date.now() });
    await waitFor(
      async () => (await w.upHosts()).join() === '127.0.0.3',
      15_000,
      () => `not moved to 127.0.0.3\n${logsOf(w.watchers)}`,
    );
    await waitFor(
      async () => {
        const s = await operator.state.load('Svc');
        return s.request === null && s.activeHost === '127.0.0.3';
      },
      5000,
      () => 'the request was not cleared or the active host not recorded',
    );
    assert.equal(leader.matching(/operator request move 127\.0\.0\.3/).length, 1, leader.text());

    // Maintenance on: a dead instance stays dead; off: restarted once.
    await operator.submitRequest('Svc', { type: 'maintenance-on', host: null, by, at: Date.now() });
    await waitFor(
      async () => (await operator.state.load('Svc')).maintenance,
      5000,
      () => 'maintenance not recorded',
    );
    const startsInMaintenance = (await w.starts()).length;
    assert.equal(w.demo.service('stop', '127.0.0.3'), 0);
    await sleep(5 * INTERVAL_MS);
    assert.deepEqual(await w.upHosts(), [], 'not restarted in maintenance');
    assert.equal((await w.starts()).length, startsInMaintenance);

    await operator.submitRequest('Svc', { type: 'maintenance-off', host: null, by, at: Date.now() });
    await waitFor(
      async () => (await w.upHosts()).length === 1,
      15_000,
      () => `not restarted after maintenance off\n${logsOf(w.watchers)}`,
    );
    await sleep(3 * INTERVAL_MS);
    const restarts = (await w.starts()).slice(startsInMaintenance);
    assert.equal(restarts.filter((s) => s.phase === 'begin').length, 1, JSON.stringify(restarts));
    const all = (await w.starts()).slice(startsBefore);
    assert.ok(
      all.every((s) => s.tag === leader.tag),
      `only the leader started: ${JSON.stringify(all)}`,
    );
    for (const follower of w.watchers.filter((x) => x !== leader)) {
      assert.deepEqual(follower.matching(/^(start|stop) Svc@/), [], `${follower.tag} did not act`);
    }

    const operatorLines = (await w.journal()).filter((e) => e.event === 'operator');
    assert.deepEqual(
      operatorLines.map((e) => e.reason),
      ['move', 'maintenance-on', 'maintenance-off'],
    );
    const epoch = epochOf(leader.matching(/^leading: /)[0]);
    for (const entry of operatorLines) {
      assert.equal(entry.by, by);
      assert.equal(entry.epoch, epoch, 'operator lines carry the leader epoch');
    }
  });

  test('SIGKILL of the leader mid-start: another takes over within lease_ttl + interval and starts once', async (t) => {
    const w = world;
    const old = await waitFor(
      () => leaderOf(w.watchers),
      5000,
      () => 'no leader',
    );
    const host = await waitFor(
      async () => (await w.upHosts())[0],
      10_000,
      () => 'service not up',
    );
    const startsBefore = (await w.starts()).length;
    const doublesBefore = w.monitor.doubles.length; // a move starts the new instance before stopping the old

    // The service dies; the leader starts it again (slowly) and dies mid-start, with its
    // command, as if its host crashed.
    await w.slowStarts(true);
    assert.equal(w.demo.service('stop', host), 0);
    await waitFor(
      async () => (await w.starts()).length > startsBefore,
      10_000,
      () => `the leader did not start again\n${logsOf(w.watchers)}`,
    );
    const inFlight = await childrenOf(old.pid);
    await old.kill();
    const killedAt = Date.now();
    for (const pid of inFlight) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL'); // the command's own process group (and the spawn helper)
        } catch {
          /* already done */
        }
      }
    }
    await w.slowStarts(false);
    const startsAtKill = (await w.starts()).length;
    assert.equal(startsAtKill, startsBefore + 1, 'killed before its start completed');

    const survivors = w.watchers.filter((x) => x !== old);
    const successor = await waitFor(
      () => survivors.find((x) => x.matching(/^leading: /, killedAt).length > 0),
      TTL_MS + INTERVAL_MS + 8000,
      () => `nobody took over\n${logsOf(w.watchers)}`,
    );
    const leadingLine = successor.matching(/^leading: /, killedAt)[0]!;
    t.diagnostic(
      `takeover after SIGKILL: ${leadingLine.at - killedAt} ms (lease_ttl ${TTL_MS} ms, interval ${INTERVAL_MS} ms)`,
    );

    await waitFor(
      async () => (await w.starts()).slice(startsAtKill).some((s) => s.phase === 'done'),
      15_000,
      () => `the successor did not start the service\n${logsOf(w.watchers)}`,
    );
    t.diagnostic(`service back ${Date.now() - killedAt} ms after the kill`);
    await sleep(4 * INTERVAL_MS);
    const starts = (await w.starts()).slice(startsAtKill);
    assert.deepEqual(
      starts.map((s) => `${s.phase} ${s.tag}`),
      [`begin ${successor.tag}`, `done ${successor.tag}`],
      `exactly one start after the takeover\n${logsOf(w.watchers)}`,
    );
    assert.equal((await w.upHosts()).length, 1);
    assert.deepEqual(
      w.monitor.doubles.slice(doublesBefore),
      [],
      'never two instances up around the takeover',
    );

    // The successor acted on its first cycle as leader: at most the cycle in flight was dry.
    const startLine = successor.matching(/^start Svc@/, killedAt)[0];
    assert.ok(startLine, 'the successor logged its start');
    const dryCycles = successor.lines.filter(
      (l) => l.at >= leadingLine.at && l.at <= startLine.at && /\[following: not acting\]$/.test(l.message),
    );
    assert.ok(
      dryCycles.length <= 1,
      `acts on its next cycle (dry cycles after leading: ${dryCycles.length})`,
    );

    const epoch = epochOf(leadingLine);
    const journal = await w.journal();
    const newStarts = journal.filter((e) => e.event === 'start' && e.at >= killedAt);
    assert.equal(newStarts.length, 1, JSON.stringify(journal));
    assert.equal(newStarts[0]!.epoch, epoch, 'the new start carries the new epoch');
    assert.ok(
      journal.every((e) => e.epoch !== undefined),
      'every journal line has an epoch',
    );

    const cluster = await w.cluster();
    assert.equal(cluster.health.leader, successor.id);
    assert.equal(cluster.watchers.length, 2, 'the dead watcher is gone with its lease');
  });

  test('SIGTERM of the leader: it hands over at once and exits 0; nothing is started', async (t) => {
    const w = world;
    const old = await waitFor(
      () => leaderOf(w.watchers),
      5000,
      () => 'no leader',
    );
    const startsBefore = (await w.starts()).length;
    const stoppedAt = Date.now();
    await old.stop();
    assert.equal(old.child.exitCode, 0, old.text());
    assert.ok(old.matching(/^stopped$/).length === 1, `it logs that it stopped\n${old.text()}`);
    const successor = await waitFor(
      () => w.watchers.find((x) => x.alive && x.matching(/^leading: /, stoppedAt).length > 0),
      TTL_MS + 5000,
      () => `nobody took over after SIGTERM\n${logsOf(w.watchers)}`,
    );
    t.diagnostic(
      `takeover after SIGTERM: ${successor.matching(/^leading: /, stoppedAt)[0]!.at - stoppedAt} ms`,
    );
    await sleep(3 * INTERVAL_MS);
    assert.equal((await w.starts()).length, startsBefore, 'the running service is left alone');
    assert.equal((await w.upHosts()).length, 1);
  });
});
