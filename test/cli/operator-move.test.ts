import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoEnv, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';
import type { JournalEntry } from '../../src/state/model.js';

/** The demo test, except that 127.0.0.4 answers 255 (unreachable) like a dead SSH link. */
const TEST_WITH_UNREACHABLE_HOST =
  `[ "{host}" = 127.0.0.4 ] && exit 255; ` +
  `bash -c 'exec 3<>/dev/tcp/{host}/{port} && read -t 5 reply <&3 && [ "$reply" = "ok {host}" ]' 2>/dev/null && exit {rank}; exit 0`;

/** Runs the CLI over the env's config. */
function cli(env: DemoEnv, ...args: string[]) {
  return runCliProcess(['-c', env.configPath, ...args]);
}

/** The journal of Svc as JSON, through `ha-valet history`. */
async function journal(env: DemoEnv): Promise<JournalEntry[]> {
  const result = await cli(env, 'history', '-p', 'Svc', '--json');
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as JournalEntry[];
}

describe('ha-valet move (no watcher: the command carries it out itself)', () => {
  let env: DemoEnv;
  before(async () => {
    env = await createDemoEnv({
      hosts: ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
      test: TEST_WITH_UNREACHABLE_HOST,
    });
    const first = await cli(env);
    assert.match(first.stdout, /started on 127\.0\.0\.2/, first.stderr);
  });
  after(async () => {
    await env.cleanup();
  });

  test('move --to a stand-by: switchover, verified, old instance stopped, journal shows who', async () => {
    const oldPid = (await env.pidOf('127.0.0.2'))!;
    const result = await cli(env, 'move', '-p', 'Svc', '--to', '127.0.0.3');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^Svc: moved from 127\.0\.0\.2 to 127\.0\.0\.3/m);
    assert.match(result.stdout, /^Svc: move to 127\.0\.0\.3 by \S+@\S+: done \(up on 127\.0\.0\.3\)$/m);
    assert.equal(await env.isUp('127.0.0.3'), true);
    assert.equal(await env.isUp('127.0.0.2'), false);
    assert.equal(isAlive(oldPid), false);

    const entries = await journal(env);
    const operator = entries.find((e) => e.event === 'operator' && e.reason === 'move');
    assert.ok(operator, 'an operator entry for the move');
    assert.equal(operator.host, '127.0.0.3');
    assert.match(operator.by ?? '', /^\S+@\S+$/);
    const switchover = entries.find((e) => e.event === 'switchover' && e.host === '127.0.0.3');
    assert.ok(switchover && switchover.ok, 'a successful switchover entry');
    assert.ok(switchover.at >= operator.at);

    const again = await cli(env);
    assert.equal(again.stdout, 'Svc: up on 127.0.0.3 (priority 2)\n', 'a normal pass leaves it there');
  });

  test('move --to a host that is not a candidate: exit 2, candidates listed, nothing done', async () => {
    const pid = await env.pidOf('127.0.0.3');
    const result = await cli(env, 'move', '-p', 'Svc', '--to', '127.0.0.9');
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /--to 127\.0\.0\.9: not a candidate host of Svc in .*candidates: 127\.0\.0\.2, 127\.0\.0\.3, 127\.0\.0\.4/,
    );
    assert.equal(result.stdout, '');
    assert.equal(await env.pidOf('127.0.0.3'), pid);
    assert.equal(await env.isUp('127.0.0.3'), true);
  });

  test('move --to an unreachable candidate: refused by decide, exit 1, nothing stopped', async () => {
    const pid = (await env.pidOf('127.0.0.3'))!;
    const result = await cli(env, 'move', '-p', 'Svc', '--to', '127.0.0.4');
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^Svc: move to 127\.0\.0\.4 refused: unreachable/m);
    assert.match(
      result.stdout,
      /not carried out \(Svc is up on 127\.0\.0\.3, not up on 127\.0\.0\.4; last test of 127\.0\.0\.4: .*exit 255/,
    );
    assert.equal(isAlive(pid), true);
    assert.equal(await env.isUp('127.0.0.3'), true);
  });

  test('-p is required and an unknown name is refused', async () => {
    const missing = await cli(env, 'move', '--to', '127.0.0.3');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '-p, --process <name>'/);
    const unknown = await cli(env, 'stop', '-p', 'Nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown process 'Nope'.*known: Svc/);
    assert.equal(await env.isUp('127.0.0.3'), true);
  });
});
