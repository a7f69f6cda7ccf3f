/**
 * Issue 15 end to end: three `ha-valet watch` processes on one etcd member run
 * one job every second. Only the leader runs it; the leader is killed with
 * SIGKILL mid-schedule, another takes over, and every slot from the first to
 * the last ran exactly once (slots missed during the takeover run late, each
 * once, because catch_up covers them).
 */
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { leaderOf, logsOf, startWorld, waitFor, type World } from './harness.js';

let world: World;
let slotsFile: string;

/** The `SLOT TAG` lines the job wrote, as [slot, tag]. */
async function runs(): Promise<Array<[number, string]>> {
  const text = await readFile(slotsFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [slot, tag] = line.split(' ');
      return [Number(slot), tag ?? ''];
    });
}

before(async () => {
  world = await startWorld({ watchers: 0 });
  slotsFile = path.join(world.demo.dir, 'slots');
  await appendFile(
    world.demo.configPath,
    [
      '',
      '[Tick]',
      'every = 1s',
      'host = 127.0.0.2',
      'stand_by_list = 127.0.0.3',
      'timeout = 2s',
      'catch_up = 30s',
      // A dead leader's claim blocks the job until its deadline; queue keeps the slots due meanwhile.
      'overlap = queue',
      `run = echo "{slot} $E2E_TAG" >> ${slotsFile}`,
      '',
    ].join('\n'),
  );
  for (const tag of ['w0', 'w1', 'w2']) world.spawnWatcher(tag);
});

after(async () => {
  await world?.cleanup();
});

test('the leader is killed mid-schedule: every slot runs exactly once, by one watcher at a time', async () => {
  const w = world;
  await waitFor(
    async () => (await runs()).length >= 4,
    30_000,
    () => `no runs\n${logsOf(w.watchers)}`,
  );
  const leader = leaderOf(w.watchers);
  assert.ok(leader, logsOf(w.watchers));
  assert.ok(
    (await runs()).every(([, tag]) => tag === leader.tag),
    'only the leader ran the job',
  );
  await leader.kill();
  const killedAt = Date.now();
  await waitFor(
    async () =>
      (await runs()).filter(([slot, tag]) => tag !== leader.tag && slot * 1000 > killedAt + 2000).length >= 3,
    40_000,
    () => `no runs after the takeover\n${logsOf(w.watchers)}`,
  );
  for (const watcher of w.watchers) await watcher.stop();
  const all = await runs();
  const slots = all.map(([slot]) => slot);
  const counts = new Map<number, number>();
  for (const slot of slots) counts.set(slot, (counts.get(slot) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], `no slot ran twice\n${all.join('\n')}`);
  const sorted = [...slots].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    assert.equal(
      sorted[i]! - sorted[i - 1]!,
      1,
      `no slot left out between ${sorted[i - 1]} and ${sorted[i]}\n${all.join('\n')}`,
    );
  }
  const tags = new Set(all.map(([, tag]) => tag));
  assert.ok(tags.size >= 2, `a second watcher took over: ${[...tags].join(', ')}`);
  const after = all.filter(([slot]) => slot * 1000 > killedAt + 2000).map(([, tag]) => tag);
  assert.equal(new Set(after).size, 1, `one leader after the takeover: ${after.join(' ')}`);
});
