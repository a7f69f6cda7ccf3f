/**
 * Fencing with `coordination = local` (this watcher is the quorum), through the
 * CLI with real demo services: the active host stops answering its test (a
 * file makes the test exit 255) while its instance still runs. `--dry-run`
 * says a fence would run; a failing fence leaves it `unsafe` with nothing
 * started; a fence that really stops it lets the failover run, journaled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDemoEnv, DEMO_SERVICE, DEMO_TEST, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import type { JournalEntry } from '../../src/state/model.js';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv({
    test: (dir) => `[ -e ${dir}/blind-{host} ] && exit 255; ${DEMO_TEST}`,
    extra: (dir, port) => [
      `fence = [ ! -e ${dir}/fence-fails ] || exit 1; HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} stop {host} ${port}`,
    ],
  });
});
after(async () => {
  await env.cleanup();
});

const cli = (...args: string[]) => runCliProcess(['-c', env.configPath, ...args]);
const A = '127.0.0.2';
const B = '127.0.0.3';

test('an unreachable active host is fenced before the failover; without a working fence, unsafe', async () => {
  assert.equal((await cli()).stdout, `Svc: was down, started on ${A}\n`);
  await writeFile(path.join(env.dir, `blind-${A}`), '');

  const dry = await cli('--dry-run');
  assert.equal(
    dry.stdout,
    `Svc: down, fencing ${A} then starting on ${B} (${A}: unreachable: host unreachable (exit 255)) [dry run: would fence ${A}, then start on ${B}]\n`,
  );
  assert.equal(await env.isUp(A), true, 'a dry run fences nothing');

  await writeFile(path.join(env.dir, 'fence-fails'), '');
  const unsafe = await cli();
  assert.equal(unsafe.code, 1);
  assert.match(
    unsafe.stdout,
    new RegExp(
      `^Svc: not safely recoverable: ${A} is not confirmed down .* its fence failed \\(fence failed, exit 1\\)\\n$`,
    ),
  );
  assert.equal(await env.isUp(B), false, 'no failover without a fence');
  const status = JSON.parse((await cli('status', '--no-probe', '--json')).stdout);
  assert.equal(status.processes[0].state, 'unsafe');
  assert.equal(status.processes[0].lastFence.ok, false);

  await rm(path.join(env.dir, 'fence-fails'));
  // The failed fence backs off (backoff_initial, 1 s) before it runs again.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const failover = await cli();
  assert.equal(failover.code, 0, failover.stderr);
  assert.equal(
    failover.stdout,
    `Svc: was down, failed over from ${A} to ${B} (${A}: unreachable: host unreachable (exit 255)); fenced ${A} first\n`,
  );
  assert.deepEqual(
    [await env.isUp(A), await env.isUp(B)],
    [false, true],
    'the fence really stopped the old one',
  );
  const journal = JSON.parse((await cli('history', '-p', 'Svc', '--json')).stdout) as JournalEntry[];
  const fences = journal.filter((e) => e.event === 'fence');
  assert.deepEqual(
    fences.map((e) => [e.host, e.ok, e.exitCode]),
    [
      [A, false, 1],
      [A, true, 0],
    ],
  );
  assert.match(fences[1]!.command ?? '', /demo-service\.mjs stop 127\.0\.0\.2/);
  assert.match(
    fences[1]!.reason ?? '',
    /before failing over to 127\.0\.0\.3: 127\.0\.0\.2 is not confirmed down/,
  );
  assert.equal(typeof fences[1]!.durationMs, 'number');
  const start = journal.findIndex((e) => e.event === 'start' && e.host === B);
  assert.ok(start > journal.indexOf(fences[1]!), 'fence before the start');
});
