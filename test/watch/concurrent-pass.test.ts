/**
 * Two one-shot passes over one config at the same time (cron overlapping
 * itself): exactly one acts, the other exits 3 naming the holder's PID.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createDemoEnv, DEMO_SERVICE, type DemoEnv } from '../helpers/demo-env.js';
import { cliMain } from '../helpers/paths.js';

interface Run {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one pass; resolves with its PID, exit code and output. */
function spawnPass(configPath: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, '-c', configPath, '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ pid: child.pid!, code, stdout, stderr });
    });
  });
}

let env: DemoEnv;
before(async () => {
  // A slow start (1 s before the service starts) so the two passes overlap.
  env = await createDemoEnv({
    start: (dir) => `sleep 1; HA_VALET_DEMO_DIR=${dir} node ${DEMO_SERVICE} start {host} {port}`,
  });
});
after(() => env.cleanup());

test('two concurrent passes: one acts, the other exits 3 naming the holder PID', async () => {
  const runs = await Promise.all([spawnPass(env.configPath), spawnPass(env.configPath)]);
  const acted = runs.filter((r) => r.code === 0);
  const refused = runs.filter((r) => r.code === 3);
  assert.equal(acted.length, 1, runs.map((r) => `exit ${r.code}: ${r.stderr}`).join('\n'));
  assert.equal(refused.length, 1, runs.map((r) => `exit ${r.code}: ${r.stderr}`).join('\n'));
  const [holder] = acted;
  const [loser] = refused;
  const report = JSON.parse(holder!.stdout) as { processes: Array<{ actions: Array<{ type: string }> }> };
  assert.deepEqual(
    report.processes[0]!.actions.map((a) => a.type),
    ['start'],
  );
  assert.match(
    loser!.stderr,
    new RegExp(`another ha-valet pass or watcher is acting on .*\\(held by pid ${holder!.pid}\\b`),
  );
  assert.equal(await env.isUp('127.0.0.2'), true);
  assert.equal(await env.isUp('127.0.0.3'), false, 'nobody started a second instance');
});
