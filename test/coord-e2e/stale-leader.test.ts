/**
 * Issue 7 end to end: a leader frozen (SIGSTOP) mid-start, with its start
 * command, loses its lease; another watcher takes over and starts the service.
 * Thawed, the old leader's start fails (the port is taken) and it must neither
 * clean up with a stop nor save state: it rejoins as a follower.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  childrenOf,
  INTERVAL_MS,
  leaderOf,
  logsOf,
  sleep,
  startWorld,
  waitFor,
  type World,
} from './harness.js';

let world: World | null = null;
after(async () => {
  await world?.cleanup();
});

/** Sends `signal` to each of `pids` and to its process group (commands run in their own groups). */
function signalGroups(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, signal);
      } catch {
        /* not a group leader, or gone */
      }
    }
  }
}

test('a frozen leader is replaced; thawed, it neither stops the new instance nor saves, and follows', async () => {
  world = await startWorld();
  const w = world;
  await waitFor(
    async () => (await w.starts()).some((s) => s.phase === 'done'),
    20_000,
    () => `no start completed\n${logsOf(w.watchers)}`,
  );
  const old = await waitFor(
    () => leaderOf(w.watchers),
    5000,
    () => 'no leader',
  );
  await sleep(2 * INTERVAL_MS);

  // The service dies; the leader begins its (slow) start, then the whole "host" freezes.
  await w.slowStarts(true);
  assert.equal(w.demo.service('stop', '127.0.0.2'), 0);
  await waitFor(
    async () => (await w.starts()).filter((s) => s.phase === 'begin').length === 2,
    10_000,
    () => `the leader did not start again\n${logsOf(w.watchers)}`,
  );
  const commands = await childrenOf(old.pid);
  old.signal('SIGSTOP');
  signalGroups(commands, 'SIGSTOP');
  const frozenAt = Date.now();
  await w.slowStarts(false); // the frozen start is already past its check

  const others = w.watchers.filter((x) => x !== old);
  const successor = await waitFor(
    () => others.find((x) => x.matching(/^leading: /, frozenAt).length > 0),
    15_000,
    () => `nobody took over from the frozen leader\n${logsOf(w.watchers)}`,
  );
  await waitFor(
    async () => (await w.starts()).some((s) => s.phase === 'done' && s.tag === successor.tag),
    15_000,
    () => `the successor did not start the service\n${logsOf(w.watchers)}`,
  );
  const pid = await w.demo.pidOf('127.0.0.2');
  assert.ok(pid, 'the successor’s instance has a PID file');

  // Thaw: the old start command finds the port taken and fails.
  signalGroups(commands, 'SIGCONT');
  old.signal('SIGCONT');
  const thawedAt = Date.now();
  await waitFor(
    () => old.matching(/^following: /, thawedAt).length > 0,
    10_000,
    () => `the old leader did not rejoin as follower\n${old.text()}`,
  );
  await waitFor(
    () => old.matching(/^start Svc@127\.0\.0\.2$/, thawedAt).length > 0,
    10_000,
    () => `the old start never finished\n${old.text()}`,
  );
  await sleep(4 * INTERVAL_MS); // several cycles of the thawed watcher

  assert.deepEqual(old.matching(/^stop Svc@/, thawedAt), [], `the stale leader ran no stop\n${old.text()}`);
  assert.equal(
    old.matching(/not running its stop command: no longer acting/, thawedAt).length,
    1,
    `the failed start was not cleaned up with a stop\n${old.text()}`,
  );
  assert.ok(
    old.matching(/state not saved: this watcher no longer leads/, thawedAt).length >= 1,
    `its save was fenced\n${old.text()}`,
  );
  assert.equal(await w.demo.pidOf('127.0.0.2'), pid, 'the new leader’s instance is untouched');
  assert.deepEqual(await w.upHosts(), ['127.0.0.2']);
  assert.equal(w.monitor.maxUp, 1, `never two instances up: ${JSON.stringify(w.monitor.doubles)}`);
  const starts = await w.starts();
  assert.equal(
    starts.filter((s) => s.phase === 'begin' && s.tag === old.tag).length,
    2,
    `no new start from the old leader after the thaw: ${JSON.stringify(starts)}`,
  );
  assert.equal(leaderOf(w.watchers), successor, `the successor still leads\n${logsOf(w.watchers)}`);

  const cluster = await w.cluster();
  assert.equal(cluster.watchers.length, 3, JSON.stringify(cluster));
  assert.deepEqual(
    cluster.watchers.filter((x) => x.leader).map((x) => x.id),
    [successor.id],
  );
  assert.ok(
    cluster.watchers.some((x) => x.id === old.id && !x.leader),
    'the old leader is back as a follower',
  );
  const journal = await w.journal();
  const oldEpoch = old.matching(/^leading: /)[0]?.message.match(/epoch (\S+?)\)/)?.[1];
  const newEpoch = successor.matching(/^leading: /, frozenAt)[0]?.message.match(/epoch (\S+?)\)/)?.[1];
  assert.ok(oldEpoch && newEpoch && oldEpoch !== newEpoch);
  assert.deepEqual(
    journal.filter((e) => e.event === 'stop'),
    [],
    'nobody journalled a stop',
  );
  assert.ok(
    journal.some((e) => e.event === 'start' && e.ok === true && e.epoch === newEpoch),
    'the successor’s start is journalled with its epoch',
  );
  await w.cleanup();
  world = null;
});
