/**
 * Bench: `ha-valet status --no-probe` (and `--json`, `nagios`) on 200 processes,
 * run as the real CLI, wall time next to a bare `node -e 0`. Target: < 150 ms.
 * Run: npx tsc -p . && node dist/bench/status-no-probe.js [processes] [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load-config.js';
import { writeHeartbeat } from '../src/state/heartbeat.js';
import { emptyProcessState } from '../src/state/model.js';
import { openStateLayout } from '../src/state/state-dir.js';
import { FileStateStore } from '../src/state/state-store.js';
import { hashConfigText } from '../src/report/watcher-health.js';

// HA_VALET_BENCH_CLI measures another build of the CLI (e.g. a bundle) against the same data.
const cliMain =
  process.env.HA_VALET_BENCH_CLI ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');
const count = Number(process.argv[2] ?? 200);
const runs = Number(process.argv[3] ?? 9);

/** Writes a config of `count` sections, each on Host_A with Host_B and Host_C as stand-bys. */
async function writeConfig(dir: string): Promise<string> {
  const lines = ['[DEFAULT]', `state_dir = ${path.join(dir, 'state')}`, 'transport = local', ''];
  for (let i = 1; i <= count; i++) {
    const name = `svc${String(i).padStart(3, '0')}`;
    lines.push(
      `[${name}]`,
      'host = Host_A',
      'stand_by_list = Host_A,Host_B,Host_C',
      `start = "start-${name}"`,
    );
    lines.push(`stop = "stop-${name}"`, `test = "test-${name}"`, '');
  }
  const file = path.join(dir, 'ha_valet.cfg');
  await writeFile(file, lines.join('\n'));
  return file;
}

/** Fills the state dir as a watcher would after a pass, plus a fresh heartbeat. */
async function writeState(configPath: string): Promise<void> {
  const config = await loadConfig(configPath, {});
  const layout = await openStateLayout(path.join(path.dirname(configPath), 'state'), configPath);
  const store = new FileStateStore(layout.dir);
  const now = Date.now();
  for (const proc of config.processes) {
    const state = emptyProcessState();
    state.status = 'up';
    state.activeHost = 'Host_A';
    state.startTimes = [now - 60_000];
    state.lastAction = { type: 'start', host: 'Host_A', ok: true, reason: 'was down', at: now - 60_000 };
    for (const [i, host] of ['Host_A', 'Host_B', 'Host_C'].entries()) {
      const up = i === 0;
      state.hosts[host] = {
        lastObservation: {
          host,
          kind: up ? 'up' : 'down',
          ...(up ? { priority: 1 } : {}),
          exitCode: up ? 1 : 0,
          at: now - 2000,
          durationMs: 8,
        },
        badChecks: 0,
        failedStarts: 0,
        retryAfter: null,
        upSince: up ? now - 60_000 : null,
        reachableSince: now - 60_000,
      };
    }
    await store.save(proc.name, state);
  }
  const hash = hashConfigText(await readFile(configPath));
  await writeHeartbeat(layout.heartbeatPath, {
    pid: process.pid,
    startedAt: now - 60_000,
    configPath,
    configHash: hash,
    at: now,
  });
}

/** Wall time in ms of one run of node with these args, its exit code and output size. */
function timeOnce(args: string[]): { ms: number; code: number | null; bytes: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
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

const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-bench-status-'));
try {
  const configPath = await writeConfig(dir);
  await writeState(configPath);
  console.log(`status bench: ${count} processes x 3 hosts, ${runs} interleaved rounds, median (min) wall ms`);
  const rows: Array<[string, string[]]> = [
    ['node -e 0', ['-e', '0']],
    ['status --no-probe', [cliMain, '-c', configPath, 'status', '--no-probe']],
    ['status --no-probe --json', [cliMain, '-c', configPath, 'status', '--no-probe', '--json']],
    ['nagios', [cliMain, '-c', configPath, 'nagios']],
  ];
  // Interleaved rounds, so machine load hits every row alike.
  const samples = rows.map(() => [] as number[]);
  const last = rows.map(() => ({ code: null as number | null, bytes: 0 }));
  for (let round = 0; round < runs; round++) {
    rows.forEach(([, args], i) => {
      const r = timeOnce(args);
      samples[i]!.push(r.ms);
      last[i] = { code: r.code, bytes: r.bytes };
    });
  }
  const node = median(samples[0]!);
  rows.forEach(([label], i) => {
    const m = median(samples[i]!);
    console.log(
      `${label.padEnd(26)} ${m.toFixed(1).padStart(7)} (${Math.min(...samples[i]!).toFixed(1)})  ${(m / node).toFixed(2)}x node -e 0, exit ${last[i]!.code}, ${last[i]!.bytes} bytes out`,
    );
  });
} finally {
  if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
  else console.log(dir);
}
