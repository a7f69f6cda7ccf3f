/**
 * act/'s failure branches with real processes (issue 11): the demo TCP service on loopback hosts,
 * started, stopped and tested by real shell commands. Nothing is mocked; the commands that fail
 * are real commands that fail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { executeAction } from '../../src/act/execute-action.js';
import type { Action, ActionOutcome } from '../../src/decide/actions.js';
import type { ProcessConfig } from '../../src/config/model.js';
import { summarizePass } from '../../src/pass/summarize.js';
import { outcomeEntries } from '../../src/pass/journal-entries.js';
import { createDemoEnv, DEMO_SERVICE, isAlive, type DemoEnv } from '../helpers/demo-env.js';
import { makeProcess } from '../helpers/process-config.js';
import { realActContext } from '../helpers/real-act-context.js';

const NEW = '127.0.0.2';
const OLD = '127.0.0.3';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv({ hosts: [NEW, OLD] });
});
after(() => env.cleanup());

/** The demo service's real commands for `host`, with some replaced by the case under test. */
function commands(host: string, replace: Partial<Record<'start' | 'stop' | 'test', string>> = {}) {
  const demo = `HA_VALET_DEMO_DIR=${env.dir} node ${DEMO_SERVICE}`;
  return {
    start: `${demo} start ${host} ${env.port}`,
    stop: `${demo} stop ${host} ${env.port}`,
    test: `bash -c 'exec 3<>/dev/tcp/${host}/${env.port} && read -t 2 reply <&3 && [ "$reply" = "ok ${host}" ]' 2>/dev/null && exit 1; exit 0`,
    ...replace,
  };
}

/** A process over NEW and OLD whose commands are the demo's, except those given per host. */
function processWith(
  replace: Partial<Record<string, Partial<Record<'start' | 'stop' | 'test', string>>>> = {},
): ProcessConfig {
  const base = makeProcess('Svc', [NEW, OLD], {
    startTimeoutMs: 3000,
    stopTimeoutMs: 6000, // wide: under load a verify test alone can take a second or more
    testTimeoutMs: 3000,
  });
  return {
    ...base,
    candidates: base.candidates.map((c) => ({ ...c, commands: commands(c.host, replace[c.host]) })),
  };
}

/** A real act context: local executors, a logger that keeps its lines. */
const contextFor = realActContext;

/** Starts the real service on `host` and returns its PID. */
async function startReal(host: string): Promise<number> {
  assert.equal(env.service('start', host), 0);
  assert.equal(await env.isUp(host), true);
  return (await env.pidOf(host))!;
}

/** Starts the real service on OLD, runs a stop action whose stop command is `stop`, cleans up. */
async function stopOldWith(
  stop: string,
): Promise<{ outcome: ActionOutcome; alive: boolean; elapsedMs: number }> {
  const pid = await startReal(OLD);
  try {
    const process = processWith({ [OLD]: { stop } });
    const action: Action = { type: 'stop', host: OLD, reason: 'split brain' };
    const begun = Date.now();
    const outcome = await executeAction(await contextFor(process), process, action);
    return { outcome, alive: isAlive(pid), elapsedMs: Date.now() - begun };
  } finally {
    env.service('stop', OLD);
  }
}

describe('act: failure branches with real processes', () => {
  test('a switchover whose start fails keeps the old instance running', async () => {
    const oldPid = await startReal(OLD);
    try {
      const process = processWith({ [NEW]: { start: 'echo no disk >&2; exit 1' } });
      const action: Action = { type: 'switchover', host: NEW, fromHosts: [OLD], reason: 'failback' };
      const outcome = await executeAction(await contextFor(process), process, action);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.reason, 'start failed, exit 1');
      assert.equal(outcome.stoppedHosts, undefined);
      assert.equal(await env.isUp(OLD), true, 'the old instance still answers');
      assert.equal(await env.pidOf(OLD), oldPid);
      assert.ok(isAlive(oldPid));
      assert.equal(await env.isUp(NEW), false);
    } finally {
      env.service('stop', OLD);
    }
  });

  test('a switchover whose new instance never verifies keeps the old one and cleans up the new', async () => {
    const oldPid = await startReal(OLD);
    const marker = path.join(env.dir, 'cleanup-ran');
    try {
      // The start exits 0 but serves nothing the test can see; its cleanup stop leaves a marker.
      const process = processWith({ [NEW]: { start: 'true', stop: `touch ${marker}` } });
      const action: Action = {
        type: 'switchover',
        host: NEW,
        fromHosts: [OLD],
        reason: 'move',
        operator: true,
      };
      const outcome = await executeAction(await contextFor(process), process, action);
      assert.equal(outcome.ok, false);
      assert.match(outcome.reason, /^not up within 3 s after start \(last test: down\)$/);
      assert.ok(existsSync(marker), 'the failed start was cleaned up with its stop command');
      assert.equal(await env.isUp(OLD), true);
      assert.ok(isAlive(oldPid));
    } finally {
      env.service('stop', OLD);
    }
  });

  test('an old-host stop that fails is reported in the outcome, the log, the journal and the pass line', async () => {
    await startReal(OLD);
    try {
      // The old host's stop command fails and stops nothing.
      const process = processWith({ [OLD]: { stop: 'echo permission denied >&2; exit 3' } });
      const context = await contextFor(process);
      const action: Action = {
        type: 'switchover',
        host: NEW,
        fromHosts: [OLD],
        reason: 'failback to preferred',
      };
      const outcome = await executeAction(context, process, action);
      assert.equal(outcome.ok, true, 'the new instance runs');
      assert.equal(await env.isUp(NEW), true);
      assert.deepEqual(outcome.stoppedHosts, []);
      assert.equal(
        outcome.reason,
        'started on 127.0.0.2, but 127.0.0.3: still not down 6 s after stop (last test: up, stop exit 3)',
      );
      assert.ok(
        context.lines.some((l) =>
          l.startsWith('warn Svc: started on 127.0.0.2, but the old instance on 127.0.0.3 did not stop'),
        ),
      );
      const journal = outcomeEntries(process, outcome, Date.now());
      assert.ok(
        journal.some(
          (e) => e.event === 'switchover' && /but 127\.0\.0\.3: still not down/.test(e.reason ?? ''),
        ),
      );
      const plan = {
        process: 'Svc',
        status: 'up' as const,
        actions: [],
        summary: 'Svc: up',
        state: {} as never,
      };
      assert.match(
        summarizePass('Svc', plan, [outcome]),
        /^Svc: started on 127\.0\.0\.2, but 127\.0\.0\.3: still not down/,
      );
      assert.equal(await env.isUp(OLD), true, 'the old instance is left running, not hidden');
    } finally {
      env.service('stop', NEW);
      env.service('stop', OLD);
    }
  });

  test('a stop that never verifies down fails with the last test seen', async () => {
    const { outcome, alive } = await stopOldWith('true');
    assert.equal(outcome.ok, false);
    assert.match(outcome.reason, /^still not down 6 s after stop \(last test: up\)$/);
    assert.equal(outcome.observations.at(-1)?.kind, 'up');
    assert.ok(alive, 'the instance still runs');
  });

  test('a stop command that hangs is killed at stop_timeout and reported', async () => {
    const { outcome, alive, elapsedMs } = await stopOldWith('sleep 30');
    assert.equal(outcome.ok, false);
    assert.match(outcome.reason, /^stop failed, timed out after \d+ ms$/);
    assert.ok(elapsedMs < 15_000);
    assert.ok(alive, 'the instance still runs');
  });

  test('a start that exits 0 and never verifies gets its cleanup stop, which ends what it launched', async () => {
    const otherPort = env.port + 1 > 65535 ? env.port - 1 : env.port + 1;
    const demo = `HA_VALET_DEMO_DIR=${env.dir} node ${DEMO_SERVICE}`;
    // The start launches a real server, but on a port the test does not check; the stop ends it.
    const pidFile = path.join(env.dir, `service-${NEW}-${otherPort}.pid`);
    const stopped = path.join(env.dir, 'stopped-pid');
    const process = processWith({
      [NEW]: {
        start: `${demo} start ${NEW} ${otherPort}`,
        stop: `cp ${pidFile} ${stopped}; ${demo} stop ${NEW} ${otherPort}`,
      },
    });
    const context = await contextFor(process);
    const action: Action = {
      type: 'start',
      host: NEW,
      fromHost: null,
      failover: false,
      reason: 'not running',
    };
    const outcome = await executeAction(context, process, action);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.exitCode, 0);
    assert.match(outcome.reason, /^not up within 3 s after start \(last test: down\)$/);
    assert.ok(
      context.lines.some((l) =>
        l.startsWith('warn start of Svc on 127.0.0.2 failed; running its stop command'),
      ),
    );
    assert.ok(context.lines.some((l) => l.startsWith('info stop Svc@127.0.0.2')));
    const launched = Number(await readFile(stopped, 'utf8'));
    assert.ok(launched > 0, 'the start launched a real server and the cleanup stop saw it');
    assert.equal(isAlive(launched), false, 'the cleanup stop ended the launched server');
    assert.equal(existsSync(pidFile), false);
    assert.equal(outcome.observations.at(-1)?.kind, 'down');
  });
});
