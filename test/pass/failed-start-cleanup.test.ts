/**
 * A start that exits non-zero is cleaned up (stop, then a test) while the pass already starts
 * the next host (issue 11): real demo servers on loopback hosts, real shell commands, a stop
 * command that sleeps. Order is read from the journal and the log, never from tight timings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ProcessConfig } from '../../src/config/model.js';
import { runProcessPass, type PassDeps } from '../../src/pass/run-pass.js';
import { emptyProcessState, type JournalEntry } from '../../src/state/model.js';
import type { Observation } from '../../src/probe/observation.js';
import { createDemoEnv, DEMO_SERVICE, type DemoEnv } from '../helpers/demo-env.js';
import { makeProcess } from '../helpers/process-config.js';
import { realActContext } from '../helpers/real-act-context.js';

const FIRST = '127.0.0.2';
const SECOND = '127.0.0.3';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv({ hosts: [FIRST, SECOND] });
});
after(() => env.cleanup());

/** Svc over FIRST then SECOND with the demo's real commands, FIRST's start and stop replaced. */
function processWith(firstStart: string, firstStop: string): ProcessConfig {
  const demo = `HA_VALET_DEMO_DIR=${env.dir} node ${DEMO_SERVICE}`;
  const base = makeProcess('Svc', [FIRST, SECOND], {
    startTimeoutMs: 5000,
    stopTimeoutMs: 10_000,
    testTimeoutMs: 3000,
  });
  return {
    ...base,
    candidates: base.candidates.map((c) => ({
      ...c,
      commands: {
        start: c.host === FIRST ? firstStart : `${demo} start ${c.host} ${env.port}`,
        stop: c.host === FIRST ? firstStop : `${demo} stop ${c.host} ${env.port}`,
        test: `bash -c 'exec 3<>/dev/tcp/${c.host}/${env.port} && read -t 2 reply <&3 && [ "$reply" = "ok ${c.host}" ]' 2>/dev/null && exit ${c.rank}; exit 0`,
      },
    })),
  };
}

/** Real pass deps: local executors, a logger and a journal that keep their lines in order. */
async function depsFor(
  process: ProcessConfig,
): Promise<PassDeps & { lines: string[]; journal: JournalEntry[] }> {
  const journal: JournalEntry[] = [];
  const recordJournal = async (entries: JournalEntry[]): Promise<void> => {
    journal.push(...entries);
  };
  return { ...(await realActContext(process)), dryRun: false, recordJournal, journal };
}

const bothDown = (at: number): Observation[] => [
  { host: FIRST, kind: 'down', at, exitCode: 0, durationMs: 1 },
  { host: SECOND, kind: 'down', at, exitCode: 0, durationMs: 1 },
];

/** Index of the first log line starting with `prefix`; fails when there is none. */
function lineIndex(lines: string[], prefix: string): number {
  const index = lines.findIndex((l) => l.startsWith(prefix));
  assert.ok(index >= 0, `no log line "${prefix}"\n${lines.join('\n')}`);
  return index;
}

describe('pass: a failed start is cleaned up while the next host starts', () => {
  test('the next host starts and verifies before a slow cleanup stop ends; the cleanup is journaled', async () => {
    const stopDone = path.join(env.dir, 'slow-stop-done');
    const process = processWith('echo cannot start >&2; exit 3', `sleep 3; echo done > ${stopDone}`);
    const deps = await depsFor(process);
    try {
      const result = await runProcessPass(process, bothDown(Date.now()), emptyProcessState(), deps);
      assert.equal(result.status, 'up', result.summary);
      assert.equal(result.activeHost, SECOND);
      assert.equal(await env.isUp(SECOND), true);

      const events = deps.journal.map((e) => `${e.event} ${e.host ?? ''} ${e.ok ?? ''}`);
      const failed = events.indexOf(`start ${FIRST} false`);
      const next = events.indexOf(`start ${SECOND} true`);
      const cleanup = events.findIndex((e) => e.startsWith(`cleanup ${FIRST}`));
      assert.ok(failed >= 0 && next > failed && cleanup > next, events.join('\n'));
      const entry = deps.journal[cleanup]!;
      assert.equal(entry.exitCode, 0);
      assert.ok((entry.durationMs ?? 0) >= 2500, `the slow stop ran in full: ${entry.durationMs}`);
      assert.match(entry.reason ?? '', /^after start failed, exit 3: stop exit 0, host then down$/);
      assert.ok(entry.at >= deps.journal[next]!.at, 'the cleanup ended after the next start verified');

      // The log agrees: SECOND's start ran before FIRST's stop finished, and the stop came first.
      const began = lineIndex(deps.lines, `warn start of Svc on ${FIRST} failed; running its stop command`);
      const started = lineIndex(deps.lines, `info start Svc@${SECOND}`);
      const stopped = lineIndex(deps.lines, `info stop Svc@${FIRST}`);
      assert.ok(began < started && started < stopped, deps.lines.join('\n'));
      // The pass did not return before its cleanup ended.
      assert.equal(deps.journal.at(-1)?.event, 'transition');
    } finally {
      env.service('stop', SECOND);
    }
  });

  test('a failed start found up after its cleanup is split brain, resolved in the same pass', async () => {
    const demo = `HA_VALET_DEMO_DIR=${env.dir} node ${DEMO_SERVICE}`;
    const marker = path.join(env.dir, 'first-stop-ran');
    // FIRST's start launches a real server yet exits 1; its first stop sleeps and leaves it up.
    const process = processWith(
      `${demo} start ${FIRST} ${env.port}; exit 1`,
      `if [ -e ${marker} ]; then ${demo} stop ${FIRST} ${env.port}; else touch ${marker}; sleep 2; fi`,
    );
    const deps = await depsFor(process);
    try {
      const result = await runProcessPass(process, bothDown(Date.now()), emptyProcessState(), deps);
      const up = [(await env.isUp(FIRST)) ? FIRST : null, (await env.isUp(SECOND)) ? SECOND : null].filter(
        (h) => h !== null,
      );
      assert.equal(up.length, 1, `one instance left: ${up.join(', ')}\n${deps.lines.join('\n')}`);
      assert.equal(result.status, 'up', result.summary);
      const cleanup = deps.journal.find((e) => e.event === 'cleanup');
      assert.match(cleanup?.reason ?? '', /host then up$/);
      assert.equal(cleanup?.ok, false);
      const events = deps.journal.map((e) => e.event);
      assert.ok(
        events.indexOf('stop') > events.indexOf('cleanup'),
        `the extra instance was stopped after the cleanup saw it: ${events.join(', ')}`,
      );
    } finally {
      env.service('stop', FIRST);
      env.service('stop', SECOND);
    }
  });
});
