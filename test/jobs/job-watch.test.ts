/**
 * Jobs run by a real `ha-valet watch` (local coordination, real commands):
 * one run per slot on the most preferred host that can run it, never two runs
 * of a job at once (overlap = skip), every run journaled, status/Nagios/metrics
 * report them, and `run-job` goes through the acting watcher.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCliProcess } from '../helpers/run-cli.js';
import { writeJobConfig } from './helpers/job-world.js';
import { startWatcher, type WatcherProcess } from '../watch/helpers/watcher-process.js';
import { waitFor } from '../watch/helpers/wait.js';

let dir: string;
let configPath: string;
let watcher: WatcherProcess;

/** Lines of a file the job commands append to (empty when absent). */
async function lines(name: string): Promise<string[]> {
  const text = await readFile(path.join(dir, name), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

/** `ha-valet -c CONFIG ARGS...`. */
function cli(...args: string[]) {
  return runCliProcess(['-c', configPath, ...args]);
}

before(async () => {
  ({ dir, configPath } = await writeJobConfig('ha-valet-jobs-', (dir) => [
    '# Host 127.0.0.2 cannot run anything (255, as ssh answers for a dead host): every run goes to .3',
    '[Hop]',
    'every = 1s',
    'host = 127.0.0.2',
    'stand_by_list = 127.0.0.3',
    `run = [ {host} = 127.0.0.2 ] && exit 255; echo "{slot} {host}" >> ${dir}/hop; echo ran on {host}`,
    '',
    '# Each run takes 2.5 s: slots due meanwhile are skipped, never run beside it.',
    '[Slow]',
    'every = 1s',
    'host = 127.0.0.2',
    `run = mkdir ${dir}/slow.lock || exit 9; echo {slot} >> ${dir}/slow; sleep 2.5; rmdir ${dir}/slow.lock`,
    '',
    '[Fail]',
    'every = 1s',
    'host = 127.0.0.2',
    'warn_after = 2',
    'run = echo broken >&2; exit 3',
  ]));
  watcher = startWatcher(configPath, ['--interval', '0.5', '--metrics-file', `${dir}/metrics.prom`]);
});

after(async () => {
  await watcher?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('each slot runs once, on the first host that can run it', async () => {
  await waitFor('4 runs of Hop', async () => (await lines('hop')).length >= 4, { timeoutMs: 20_000 });
  const runs = (await lines('hop')).map((l) => l.split(' '));
  assert.ok(
    runs.every(([, host]) => host === '127.0.0.3'),
    JSON.stringify(runs),
  );
  const slots = runs.map(([slot]) => Number(slot));
  assert.equal(new Set(slots).size, slots.length, `no slot twice: ${slots.join(' ')}`);
  for (let i = 1; i < slots.length; i++)
    assert.equal(slots[i]! - slots[i - 1]!, 1, `no slot left out: ${slots}`);
});

test('overlap = skip: slots due during a run are skipped and journaled, never run beside it', async () => {
  await waitFor('3 runs of Slow', async () => (await lines('slow')).length >= 3, { timeoutMs: 30_000 });
  const history = await cli('history', '-p', 'Slow', '--json');
  const entries = JSON.parse(history.stdout) as Array<{ event: string; ok?: boolean; reason: string }>;
  const runs = entries.filter((e) => e.event === 'job');
  assert.ok(runs.length >= 2, history.stdout);
  // A second run beside the first would have found the lock and exited 9.
  assert.match(runs[0]!.reason, /outlasted its period \(overlap = skip\)/);
  assert.ok(
    runs.every((e) => e.ok === true),
    history.stdout,
  );
  const skipped = entries.filter((e) => e.event === 'job-skipped');
  assert.ok(skipped.length >= 2, history.stdout);
  assert.match(skipped[0]!.reason, /skipped: the previous run is still running \(overlap = skip\)/);
});

test('runs are journaled with host, exit code, duration and output; status shows last and next run', async () => {
  const history = await cli('history', '-p', 'Hop');
  assert.match(
    history.stdout,
    /Hop job on 127\.0\.0\.3 ok exit 0 \(\d+ ms\): slot \S+: ok on 127\.0\.0\.3 \(passed over 127\.0\.0\.2: exit 255\)/,
  );
  const json = JSON.parse((await cli('history', '-p', 'Hop', '--json')).stdout) as Array<{ output?: string }>;
  assert.ok(
    json.some((e) => e.output === 'ran on 127.0.0.3'),
    JSON.stringify(json.slice(-2)),
  );
  const status = await cli('status', '--json');
  const report = JSON.parse(status.stdout) as {
    jobs: Array<{ name: string; lastRun: { host: string; ok: boolean } | null; nextRunAt: number | null }>;
  };
  const hop = report.jobs.find((j) => j.name === 'Hop')!;
  assert.equal(hop.lastRun?.host, '127.0.0.3');
  assert.equal(hop.lastRun?.ok, true);
  assert.ok(hop.nextRunAt !== null && hop.nextRunAt > Date.now() - 5000);
  const table = await cli('status');
  assert.match(table.stdout, /JOBS\n {2}Hop {2}every 1 s {2}last: ok on 127\.0\.0\.3 /);
});

test('Nagios warns after warn_after failed runs in a row; metrics count runs and failures', async () => {
  await waitFor('2 failed runs of Fail', async () => {
    const json = JSON.parse((await cli('history', '-p', 'Fail', '--json')).stdout) as unknown[];
    return json.length >= 2;
  });
  const nagios = await cli('nagios');
  assert.equal(nagios.code, 1, nagios.stdout);
  assert.match(
    nagios.stdout,
    /^HA-VALET WARNING - job Fail: \d+ failed runs in a row \(warn_after 2\); last run failed \(failed, exit 3 on 127\.0\.0\.2\)/,
  );
  await waitFor('the metrics file', async () =>
    (await readFile(`${dir}/metrics.prom`, 'utf8').catch(() => '')).includes(
      'ha_valet_job_failures_total{job="Fail"}',
    ),
  );
  const metrics = await readFile(`${dir}/metrics.prom`, 'utf8');
  const value = (name: string, job: string): number =>
    Number(new RegExp(`^${name}\\{job="${job}"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
  assert.ok(value('ha_valet_job_runs_total', 'Hop') >= 1, metrics);
  assert.equal(value('ha_valet_job_failures_total', 'Hop'), 0);
  assert.ok(value('ha_valet_job_failures_total', 'Fail') >= 1);
  assert.ok(value('ha_valet_job_skipped_total', 'Slow') >= 1);
});

test('run-job: the acting watcher runs it now and the command prints the result', async () => {
  const result = await cli('run-job', 'Hop');
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^Hop: ok on 127\.0\.0\.3 \(passed over 127\.0\.0\.2: exit 255\) \(exit 0, \d+ ms\)\n {2}ran on 127\.0\.0\.3\n$/,
  );
  const failed = await cli('run-job', 'Fail');
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /^Fail: failed, exit 3 on 127\.0\.0\.2 \(exit 3, \d+ ms\)\n {2}broken\n$/);
  const unknown = await cli('run-job', 'Nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown job 'Nope' in .*; jobs: Hop, Slow, Fail/);
});
