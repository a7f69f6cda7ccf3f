/**
 * kill -9 of a running watcher at a random moment (mid-probe, mid-start,
 * mid-save): the next one-shot pass recovers the stale lock, reads valid state
 * and never crashes.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { FileStateStore } from '../../src/state/state-store.js';
import { runPass, stateLayout } from './helpers/pass.js';
import { startWatcher } from './helpers/watcher-process.js';
import { sleep } from './helpers/wait.js';

const ROUNDS = 10;
const CRASH = /TypeError|ReferenceError|SyntaxError|Unhandled|^\s+at /m;

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv();
});
after(() => env.cleanup());

test(`state and lock survive kill -9 of the watcher (${ROUNDS} rounds)`, async (t) => {
  const layout = await stateLayout(env);
  const outcomes: string[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Every other round the watcher has work to do: the instance it watches is gone.
    if (round % 2 === 1) for (const host of env.hosts) env.service('stop', host);
    const watcher = startWatcher(env.configPath, ['--interval', '0.2']);
    try {
      await watcher.waitForLog(/watching Svc/);
      await sleep(Math.random() * 600);
      watcher.signal('SIGKILL');
      assert.equal((await watcher.exited).signal, 'SIGKILL');
    } finally {
      watcher.signal('SIGKILL');
    }
    const pass = await runPass(env);
    assert.ok(pass.code === 0 || pass.code === 1, `round ${round}: exit ${pass.code}\n${pass.stderr}`);
    assert.ok(pass.svc, `round ${round}: no JSON report\n${pass.stdout}\n${pass.stderr}`);
    assert.doesNotMatch(pass.stderr, CRASH, `round ${round}`);
    assert.doesNotMatch(pass.stderr, /corrupt|lock/i, `round ${round}: ${pass.stderr}`);
    const warnings: string[] = [];
    const state = await new FileStateStore(layout.dir, { warn: (m) => warnings.push(m) }).load('Svc');
    assert.deepEqual(warnings, [], `round ${round}: the state file is valid`);
    assert.notEqual(state.status, 'unknown', `round ${round}: state was saved`);
    outcomes.push(`${pass.code}:${pass.svc.summary}`);
  }
  t.diagnostic(outcomes.join(' | '));
  // Settled: the service ends up on exactly one host and no corrupt copies were set aside.
  const final = await runPass(env);
  assert.equal(final.code, 0, final.stderr);
  const up = await Promise.all(env.hosts.map((h) => env.isUp(h)));
  assert.equal(up.filter(Boolean).length, 1, `up: ${up.join(',')}`);
  assert.deepEqual(
    (await readdir(layout.dir)).filter((name) => name.includes('.corrupt-')),
    [],
  );
});
