/**
 * Shell tests of local candidates through each spawner (Python helper, Perl
 * helper, Node itself), from the command to the observation: the README's
 * exit-code table holds whichever program spawned the shell.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SPAWN_KINDS } from '../../src/exec/choose-spawn-helper.js';
import { createExecutorPool } from '../../src/exec/create-pool.js';
import { spawnMode } from '../../src/exec/local-executor.js';
import { probeCandidate } from '../../src/probe/probe.js';
import { makeProcess } from '../helpers/process-config.js';
import { ensurePython3 } from '../helpers/debian-package.js';

ensurePython3();

for (const mode of SPAWN_KINDS) {
  describe(`shell tests spawned by ${mode}`, () => {
    /** Probes a local candidate whose test is `line`. */
    const check = async (line: string, testTimeoutMs = 10_000) => {
      const process = makeProcess('Svc', ['localhost'], { testTimeoutMs });
      const candidate = { ...process.candidates[0]!, commands: { start: 's', stop: 't', test: line } };
      const pool = await createExecutorPool([process]);
      globalThis.process.env.HA_VALET_SPAWN = mode;
      try {
        assert.equal(spawnMode(), mode);
        return probeCandidate(process, candidate, pool);
      } finally {
        delete globalThis.process.env.HA_VALET_SPAWN;
      }
    };

    test('exit 0 is down, 1–123 up with that priority', async () => {
      assert.equal((await check('exit 0')).kind, 'down');
      const up = await check('[ 2 = 1 ] && exit 1; exit 2');
      assert.equal(up.kind, 'up');
      assert.equal(up.priority, 2);
    });

    test('a timeout, exit 255 or a signal is unreachable, not down', async () => {
      const slow = await check('sleep 30.75', 300);
      assert.equal(slow.kind, 'unreachable');
      assert.match(slow.reason ?? '', /timed out/);
      assert.equal((await check('exit 255')).kind, 'unreachable');
      const killed = await check('kill -KILL $$');
      assert.equal(killed.kind, 'unreachable');
      assert.match(killed.reason ?? '', /SIGKILL/);
    });

    test('a missing or non-executable test command is an error', async () => {
      const missing = await check('/nonexistent/check');
      assert.equal(missing.kind, 'error');
      assert.match(missing.reason ?? '', /not found \(exit 127\)/);
      assert.equal((await check('/dev/null')).kind, 'error');
    });
  });
}
