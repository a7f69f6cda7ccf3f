/**
 * Watched tcp:// checks (tcp-watch.ts) against the real connect helper and real
 * listeners: the first round is heard; a cold watch hears only rounds that changed;
 * a hot one every round; a round begun before a cycle ended is dropped, and the watch
 * turns hot so that no change is lost; the helper's tallies count every check; a
 * helper that dies ends the watch.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConnectHelper } from '../../src/probe/native/connect-helper.js';
import {
  canWatchTcp,
  TcpWatches,
  type TcpWatch,
  type WatchedRound,
} from '../../src/probe/native/tcp-watch.js';
import type { ProcessConfig } from '../../src/config/model.js';
import { closedPort } from '../helpers/ports.js';
import { makeProcess } from '../helpers/process-config.js';
import { ensurePython3 } from '../helpers/debian-package.js';

ensurePython3();

const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((c) => c()));

async function listen(port = 0): Promise<net.Server> {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** A process whose two candidates connect to 127.0.0.1:up and 127.0.0.1:down. */
function tcpProcess(up: number, down: number): ProcessConfig {
  const process = makeProcess('Svc', ['a', 'b'], { testTimeoutMs: 2000 });
  const ports = [up, down];
  return {
    ...process,
    candidates: process.candidates.map((c, i) => ({
      ...c,
      commands: { ...c.commands, test: `tcp://127.0.0.1:${ports[i]}` },
      nativeTest: { kind: 'tcp', host: '127.0.0.1', port: ports[i]! },
    })),
  };
}

/** Collects the rounds a watch reports, for `ms`. */
async function roundsDuring(next: () => Promise<WatchedRound | null>, ms: number): Promise<WatchedRound[]> {
  const rounds: WatchedRound[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const round = await Promise.race([
      next(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), until - Date.now())),
    ]);
    if (round) rounds.push(round);
  }
  return rounds;
}

test('which processes can be watched: plain tcp:// to address literals only', () => {
  const plain = tcpProcess(1, 2);
  assert.equal(canWatchTcp(plain), true);
  const named = {
    ...plain,
    candidates: plain.candidates.map((c) => ({
      ...c,
      nativeTest: { kind: 'tcp' as const, host: 'localhost', port: 1 },
    })),
  };
  assert.equal(canWatchTcp(named), false);
  const expecting = {
    ...plain,
    candidates: plain.candidates.map((c) => ({
      ...c,
      nativeTest: { kind: 'tcp' as const, host: '127.0.0.1', port: 1, expect: 'ok' },
    })),
  };
  assert.equal(canWatchTcp(expecting), false);
  assert.equal(canWatchTcp(makeProcess('Shell', ['a'])), false);
});

test('cold: only changed rounds are heard; hot: every round; every check is tallied', async () => {
  const server = await listen();
  const up = (server.address() as net.AddressInfo).port;
  const down = await closedPort();
  let tallied = 0;
  const helper = new ConnectHelper();
  cleanups.push(() => helper.close());
  const watches = new TcpWatches({ lag: () => undefined, checks: (n) => (tallied += n) }, helper);
  const process = tcpProcess(up, down);
  const watch = watches.open(process, 100, 0)!;
  assert.ok(watch, 'the helper watches');

  const first = await watch.next();
  assert.deepEqual(
    first!.observations.map((o) => [o.host, o.kind, o.priority]),
    [
      ['a', 'up', 1],
      ['b', 'down', undefined],
    ],
  );
  watch.cycled(false, true); // steady: cold
  const quiet = await roundsDuring(() => watch.next(), 1200);
  assert.equal(quiet.length, 0, 'no round heard while nothing changed');
  assert.ok(tallied >= 10, `the helper kept checking: ${tallied} checks tallied`);

  server.close();
  const changed = await roundsDuring(() => watch.next(), 600);
  assert.ok(changed.length >= 1, 'the change is heard');
  assert.equal(changed[0]!.observations[0]!.kind, 'down');

  watch.cycled(true, true); // not steady: hot
  const hot = await roundsDuring(() => watch.next(), 1000);
  assert.ok(hot.length >= 5, `every round heard while hot: ${hot.length} in 1 s`);
  watches.close();
});

test('a round begun before a cycle ended is dropped, and the watch turns hot so no change is lost', async () => {
  const server = await listen();
  const up = (server.address() as net.AddressInfo).port;
  const helper = new ConnectHelper();
  cleanups.push(() => helper.close());
  const watches = new TcpWatches({ lag: () => undefined, checks: () => undefined }, helper);
  const watch = watches.open(tcpProcess(up, await closedPort()), 100, 0)!;
  await watch.next();
  watch.cycled(true, true);
  // A "cycle" that takes 500 ms: rounds reported meanwhile began before it ended.
  await new Promise((resolve) => setTimeout(resolve, 500));
  server.close(); // the change happens as the cycle ends
  watch.cycled(false, true);
  assert.equal(watch.isHot, true, 'a round was waiting when the cycle ended: stays hot');
  const rounds = await roundsDuring(() => watch.next(), 800);
  assert.ok(rounds.length >= 1, 'the next rounds are heard');
  assert.equal(rounds.at(-1)!.observations[0]!.kind, 'down', 'the change is seen');
  watches.close();
});

/** A fresh helper watching one process (an up host, a refused one) every 100 ms, its first round heard. */
async function watchedOnOwnHelper(): Promise<{
  helper: ConnectHelper;
  watches: TcpWatches;
  watch: TcpWatch;
}> {
  const server = await listen();
  cleanups.push(() => server.close());
  const helper = new ConnectHelper();
  const watches = new TcpWatches({ lag: () => undefined, checks: () => undefined }, helper);
  const watch = watches.open(
    tcpProcess((server.address() as net.AddressInfo).port, await closedPort()),
    100,
    0,
  )!;
  await watch.next();
  return { helper, watches, watch };
}

test('the helper ends: the watch ends with it', async () => {
  const { helper, watch } = await watchedOnOwnHelper();
  watch.cycled(false, true);
  const ended = watch.next();
  helper.close();
  assert.equal(await ended, null);
  assert.equal(watch.alive, false);
});

test('an address the system cannot use fails that host only; the helper keeps watching', async () => {
  const server = await listen();
  cleanups.push(() => server.close());
  const helper = new ConnectHelper();
  cleanups.push(() => helper.close());
  const watches = new TcpWatches({ lag: () => undefined, checks: () => undefined }, helper);
  const good = tcpProcess((server.address() as net.AddressInfo).port, await closedPort());
  // A link-local address scoped to an interface that does not exist: connect raises in Python.
  const scoped = {
    ...good,
    name: 'Scoped',
    candidates: good.candidates.map((c) => ({
      ...c,
      nativeTest: { kind: 'tcp' as const, host: 'fe80::1%nosuchif0', port: 80 },
    })),
  };
  assert.equal(canWatchTcp(scoped), true);
  const bad = watches.open(scoped, 100, 0)!;
  const first = await bad.next();
  assert.ok(first, 'a round is reported');
  assert.deepEqual(
    first.observations.map((o) => o.kind),
    ['unreachable', 'unreachable'],
  );
  const fine = watches.open(good, 100, 0)!;
  const round = await fine.next();
  assert.equal(round?.observations[0]?.kind, 'up', 'the helper still runs and checks the others');
  watches.close();
});

test('a helper that stops tallying is seen as stalled; ending it ends the watches', async () => {
  const { helper, watches, watch } = await watchedOnOwnHelper();
  assert.equal(watches.stalled(3000), false);
  process.kill(helper.pid!, 'SIGSTOP');
  cleanups.push(() => helper.kill());
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(watches.stalled(1200), true, 'silent past its tally');
  const ended = watch.next();
  watches.killHelper();
  assert.equal(await ended, null);
});
