/**
 * Bench: `ha-valet status --no-probe` (and `--json`, `nagios`) on 200 processes,
 * run as the real CLI (the entry bin/ha-valet runs: the bundle with its code
 * cache when built), wall time next to a bare `node -e 0`, and the compiled
 * modules (HA_VALET_NO_BUNDLE=1) for comparison. Target: < 150 ms.
 *
 * NODE_EXTRA_CA_CERTS makes every Node start parse that CA file (~90 ms here,
 * before any of our code runs). cron and systemd don't set it; when the
 * calling shell has it, every row is measured both ways.
 *
 * Run: npm run build && node dist/bench/status-no-probe.js [processes] [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFreshHeartbeat, writeStatusFixture } from '../scripts/status-fixture.js';

// HA_VALET_BENCH_CLI measures another build of the CLI against the same data.
const cliMain =
  process.env.HA_VALET_BENCH_CLI ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/entry.cjs');
const count = Number(process.argv[2] ?? 200);
const runs = Number(process.argv[3] ?? 15);

interface Row {
  label: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Wall time in ms of one run of node with these args, its exit code and output size. */
function timeOnce(row: Row): { ms: number; code: number | null; bytes: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, row.args, { env: row.env, maxBuffer: 64 << 20 });
  return {
    ms: Number(process.hrtime.bigint() - start) / 1e6,
    code: result.status,
    bytes: result.stdout.length,
  };
}

/** The median of some numbers. */
function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** The rows for one environment: node alone, the CLI's three reads, the same status without the bundle. */
function rowsFor(configPath: string, env: NodeJS.ProcessEnv, suffix: string): Row[] {
  const cli = (...args: string[]): string[] => [cliMain, '-c', configPath, ...args];
  return [
    { label: `node -e 0${suffix}`, args: ['-e', '0'], env },
    { label: `status --no-probe${suffix}`, args: cli('status', '--no-probe'), env },
    { label: `status --no-probe --json${suffix}`, args: cli('status', '--no-probe', '--json'), env },
    { label: `nagios${suffix}`, args: cli('nagios'), env },
    {
      label: `status, modules${suffix}`,
      args: cli('status', '--no-probe'),
      env: { ...env, HA_VALET_NO_BUNDLE: '1' },
    },
  ];
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-bench-status-'));
try {
  const configPath = await writeStatusFixture(dir, count);
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  const service = { ...base };
  delete service.NODE_EXTRA_CA_CERTS;
  const groups = [rowsFor(configPath, service, '')];
  if (process.env.NODE_EXTRA_CA_CERTS) groups.push(rowsFor(configPath, base, ' [CA]'));
  const rows = groups.flat();
  console.log(`status bench: ${count} processes x 3 hosts, ${runs} interleaved rounds, median (min) wall ms`);
  console.log(
    `CLI: ${path.relative(process.cwd(), cliMain)}; rows without [CA] run without NODE_EXTRA_CA_CERTS`,
  );
  if (groups.length > 1)
    console.log(`[CA]: with this shell's NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}`);
  // Which build the rows run (a bundle older than the last tsc build is not used: run npm run build).
  const probe = spawnSync(process.execPath, [cliMain, '--help'], {
    env: { ...service, HA_VALET_DEBUG_LOAD: '1' },
  });
  console.log(String(probe.stderr).split('\n')[0]!.replace('ha-valet: loaded', 'runs:'));
  // Interleaved rounds, so machine load hits every row alike.
  const samples = rows.map(() => [] as number[]);
  const last = rows.map(() => ({ code: null as number | null, bytes: 0 }));
  for (let round = 0; round < runs; round++) {
    await writeFreshHeartbeat(configPath); // a watcher's heartbeat is always fresh; never measure the stale path
    rows.forEach((row, i) => {
      const r = timeOnce(row);
      samples[i]!.push(r.ms);
      last[i] = { code: r.code, bytes: r.bytes };
    });
  }
  let node = 0;
  rows.forEach(({ label, args }, i) => {
    const m = median(samples[i]!);
    if (args[0] === '-e') node = m;
    console.log(
      `${label.padEnd(32)} ${m.toFixed(1).padStart(7)} (${Math.min(...samples[i]!).toFixed(1)})  ${(m / node).toFixed(2)}x node -e 0, exit ${last[i]!.code}, ${last[i]!.bytes} bytes out`,
    );
  });
} finally {
  if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
  else console.log(dir);
}
