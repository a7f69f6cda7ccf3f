/**
 * `simulate` runs no command at all: every command of this config (tests,
 * starts, stops, hooks) would leave a marker file, and none appears, whatever
 * the simulated world makes the passes do (failing fences and hooks too).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCliProcess } from '../helpers/run-cli.js';
import { emptyProcessState } from '../../src/state/model.js';
import { openStateLayout } from '../../src/state/state-dir.js';
import { FileStateStore } from '../../src/state/state-store.js';

let dir: string;
let configPath: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-simulate-'));
  configPath = path.join(dir, 'ha_valet.cfg');
  const mark = (what: string): string => `touch ${dir}/ran-${what}`;
  await writeFile(
    configPath,
    [
      '[DEFAULT]',
      `state_dir = ${dir}/state`,
      '',
      '[Web]',
      'host = Host_A',
      'stand_by_list = Host_A,Host_B,Host_C',
      `start = ${mark('start-{host}')}`,
      `stop = ${mark('stop-{host}')}`,
      `test = ${mark('test-{host}')}; exit 0`,
      `before_failover = ${mark('before')}`,
      `after_failover = ${mark('after')}`,
      `on_failed = ${mark('failed')}`,
      `on_split_brain = ${mark('split')}`,
      `fence = ${mark('fence-{host}')}`,
      'max_restarts = 2',
      'on_given_up = ' + mark('given-up'),
      '',
    ].join('\n'),
  );
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `ha-valet -c CONFIG simulate ARGS...`. */
function simulate(...args: string[]) {
  return runCliProcess(['-c', configPath, 'simulate', ...args]);
}

test('no command runs, whatever the world makes the passes do', async () => {
  // Stored: up on Host_A, so the simulated passes below fail over from it.
  const layout = await openStateLayout(`${dir}/state`, configPath);
  const stored = { ...emptyProcessState(), status: 'up' as const, activeHost: 'Host_A' };
  assert.ok(await new FileStateStore(layout.dir).save('Web', stored));
  const worlds = [
    [],
    ['--unreachable', 'Host_A'],
    ['--start-fails', 'Host_A', '--start-fails', 'Host_B', '--start-fails', 'Host_C', '--passes', '6'],
    ['--up', 'Host_A=1', '--up', 'Host_B=2', '--up', 'Host_C=3'],
    ['--from-state', '--unreachable', 'Host_A'],
    ['--from-state', '--start-fails', 'Host_B', '--start-fails', 'Host_C', '--unreachable', 'Host_A'],
    ['--from-state', '--unreachable', 'Host_A', '--fence-fails', 'Host_A'],
    ['--from-state', '--unreachable', 'Host_A', '--hook-fails', 'before_failover'],
    [
      '--from-state',
      '--unreachable',
      'Host_A',
      '--hook-fails',
      'on_failed',
      '--hook-fails',
      'after_failover',
    ],
  ];
  const stories: string[] = [];
  for (const world of worlds) {
    const result = await simulate('--passes', '4', ...world);
    assert.equal(result.code, 0, result.stderr);
    stories.push(result.stdout);
  }
  // The passes did plan starts, stops and hooks: the commands are named in the output...
  const all = stories.join('\n');
  for (const what of [
    'start-Host_A',
    'stop-Host_B',
    'before',
    'after',
    'failed',
    'split',
    'given-up',
    'fence-Host_A',
  ]) {
    assert.match(all, new RegExp(`ran-${what}`), all);
  }
  // ...among them a fence that fails and a before_failover that aborts the failover...
  assert.match(all, /would fence on Host_A: fails \(fence failed, exit 1\)/, all);
  assert.match(all, /Web: not safely recoverable: Host_A is not confirmed down/, all);
  assert.match(all, /failover aborted: beforeFailover step 1 failed \(exit 1\)/, all);
  // ...and none of them ran.
  const files = await readdir(dir);
  assert.deepEqual(
    files.filter((f) => f.startsWith('ran-')),
    [],
  );
});

test('the story of each pass: failover, then the split brain it meets, then quiet', async () => {
  const result = await simulate('--passes', '2', '--start-fails', 'Host_A');
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.equal(lines[0], 'simulated world: start fails on Host_A; other hosts down (reachable, not running)');
  assert.ok(
    lines.includes('  Web: was down, started on Host_B (Host_A: start failed, exit 1)'),
    result.stdout,
  );
  assert.ok(lines.includes('pass 2 (+5 s)'), result.stdout);
  assert.ok(lines.includes('  Web: up on Host_B (priority 2)'), result.stdout);
});

test('a host that is no candidate is a usage error (exit 2)', async () => {
  const result = await simulate('--down', 'Host_Z');
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /host Host_Z is no candidate of the selected processes; known: Host_A, Host_B, Host_C/,
  );
  const bad = await simulate('--up', 'Host_A=0');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--up expects HOST=PRIORITY with a priority from 1 to 123, got 'Host_A=0'/);
  const fence = await simulate('--fence-fails', 'Host_Z');
  assert.equal(fence.code, 2);
  assert.match(fence.stderr, /host Host_Z is no candidate of the selected processes/);
  const hook = await simulate('--hook-fails', 'before_start');
  assert.equal(hook.code, 2);
  assert.match(
    hook.stderr,
    /--hook-fails expects one of before_failover, after_failover, on_failed, on_given_up, on_split_brain, got 'before_start'/,
  );
});
