/**
 * Issue 14 in a real watcher: idle cycles write no state file while status
 * --no-probe still sees checks about one interval old; a change is written at
 * once; a slow process lags alone, and the lag shows in the log, status and metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDemoEnv, freePort } from '../helpers/demo-env.js';
import { gatherStatus } from '../../src/report/gather-status.js';
import { parseMetrics } from '../report/metrics-parse.js';
import { stateLayout } from './helpers/pass.js';
import { HOST_A } from './helpers/scenario.js';
import { sleep, waitFor } from './helpers/wait.js';
import { startWatcher } from './helpers/watcher-process.js';

/** inode:mtime of a file: changes whenever it is replaced. */
async function stamp(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.ino}:${s.mtimeNs}`;
}

test('idle cycles rewrite no state file; status --no-probe sees recent checks; a change is saved at once', async () => {
  const env = await createDemoEnv({ test: 'tcp://{host}:{port}', extra: ['test_expect = ^ok '] });
  const watcher = startWatcher(env.configPath, ['--interval', '200ms']);
  try {
    const layout = await stateLayout(env);
    const file = layout.statePath('Svc');
    const status = async () =>
      (await gatherStatus({ configPath: env.configPath, probe: false, env: process.env })).report
        .processes[0]!;
    await waitFor(
      'Svc up on A',
      async () => (await status().catch(() => null))?.state === 'up' && env.isUp(HOST_A),
    );
    await sleep(1000); // the standby's bad-check count reaches check_count, then nothing durable changes
    const before = await stamp(file);
    await sleep(3000);
    assert.equal(await stamp(file), before, 'no write while nothing changed');
    const host = (await status()).hosts.find((h) => h.host === HOST_A)!;
    assert.ok(
      host.observation!.ageMs < 2500,
      `status sees a recent check (${host.observation!.ageMs} ms old)`,
    );
    process.kill((await env.pidOf(HOST_A))!, 'SIGKILL');
    await waitFor('the state file rewritten after the kill', async () => (await stamp(file)) !== before);
  } finally {
    await watcher.stop();
    await env.cleanup();
  }
});

test('a slow process lags alone; the lag is logged, shown by status and in the metrics', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-lag-'));
  const [fastPort, httpPort] = [await freePort(), await freePort()];
  const configPath = path.join(dir, 'ha_valet.cfg');
  await writeFile(
    configPath,
    [
      '[DEFAULT]',
      `state_dir = ${dir}/state`,
      'start = true',
      'stop = true',
      '[Fast]',
      'host = 127.0.0.1',
      `port = ${fastPort}`,
      // A shell line, not tcp://: a steady process of plain tcp:// checks runs no cycles at all
      // (the connect helper watches it, watched-checks.test.ts), and this test is about cycles.
      'test = exit 1',
      '[Slow]',
      'host = 127.0.0.1',
      'test = sleep 1.5; exit 1',
      '',
    ].join('\n'),
  );
  // Fast's service answers all along: its cycles are one quick check each.
  const service = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => service.listen(fastPort, '127.0.0.1', resolve));
  const watcher = startWatcher(configPath, ['--interval', '300ms', '--http', `127.0.0.1:${httpPort}`]);
  try {
    await watcher.waitForLog(/falling behind: 1 of 2 processes checked late \(worst: Slow/);
    await sleep(2000);
    const metrics = parseMetrics(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
    const fast = metrics.get('ha_valet_check_duration_seconds_count{process="Fast",host="127.0.0.1"}') ?? 0;
    const slow = metrics.get('ha_valet_check_duration_seconds_count{process="Slow",host="127.0.0.1"}') ?? 0;
    assert.ok(fast >= 3 * slow, `Fast kept its schedule (${fast} checks) while Slow ran ${slow}`);
    assert.ok((metrics.get('ha_valet_watcher_schedule_lag_seconds') ?? 0) > 0.5);
    assert.equal(metrics.get('ha_valet_watcher_processes_lagging'), 1);
    const report = (await gatherStatus({ configPath, probe: false, env: process.env })).report;
    assert.ok(
      report.problems.some((p) =>
        /^watcher falling behind: 1 of 2 processes checked late \(worst: Slow/.test(p),
      ),
      report.problems.join('\n'),
    );
  } finally {
    await watcher.stop();
    service.close();
    await rm(dir, { recursive: true, force: true });
  }
});
