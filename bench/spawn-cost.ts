/**
 * CPU per shell check: the same line run N times (8 at a time) spawned
 * directly from Node, through the Python spawn helper (posix_spawn), through
 * the Perl one (fork), and by a bash loop, with a Node heap of about the
 * watcher's size (fork copies page tables).
 *   npm run build && node dist/bench/spawn-cost.js [N] [ROUNDS]
 */
import { spawnSync } from 'node:child_process';
import type { SpawnKind } from '../src/exec/choose-spawn-helper.js';
import { LocalExecutor, spawnHelperPids, spawnMode } from '../src/exec/local-executor.js';
import { runBounded } from '../src/probe/probe.js';
import { procCpu } from './lib/proc-cpu.js';

const n = Number(process.argv[2] ?? 400);
const rounds = Number(process.argv[3] ?? 3);
const LINE = '[ 2 = 1 ] && exit 1; exit 0';
// About the heap of a watcher of a few hundred processes (~100 MB RSS).
const ballast = Array.from({ length: 600_000 }, (_, i) => ({ i, s: `x${i}` }));

/** CPU ms of this process, of the helpers themselves, and of the shells (reaped by us or by a helper). */
function cpuNow(): [number, number, number] {
  const self = procCpu('self');
  const helpers = spawnHelperPids().map(procCpu);
  const helperSelf = helpers.reduce((sum, c) => sum + c.selfMs, 0);
  const helperChildren = helpers.reduce((sum, c) => sum + c.childrenMs, 0);
  return [self.selfMs, helperSelf, self.childrenMs + helperChildren];
}

/** Runs the line n times through the executor in `mode`; CPU ms per run: parent, helper, shells. */
async function measure(mode: SpawnKind): Promise<number[]> {
  process.env.HA_VALET_SPAWN = mode;
  if (spawnMode() !== mode) throw new Error(`${mode} cannot run here (${spawnMode()} would)`);
  const local = new LocalExecutor('localhost');
  await local.run('true', { timeoutMs: 5000 }); // start the helper outside the measurement
  const before = cpuNow();
  await runBounded(
    Array.from({ length: n }, () => () => local.run(LINE, { timeoutMs: 5000 })),
    8,
  );
  const after = cpuNow();
  return after.map((ms, i) => (ms - before[i]!) / n);
}

/** The bash loop: CPU ms per run, all of it in children of this process. */
function bashLoop(): number {
  const before = procCpu('self').childrenMs;
  spawnSync('bash', ['-c', `for i in $(seq ${n}); do sh -c '${LINE}'; done`], { stdio: 'ignore' });
  return (procCpu('self').childrenMs - before) / n;
}

const rows: Record<string, number[][]> = { direct: [], python: [], perl: [], bash: [] };
for (let round = 0; round < rounds; round++) {
  for (const mode of ['direct', 'python', 'perl'] as const) rows[mode]!.push(await measure(mode));
  rows.bash!.push([0, 0, bashLoop()]);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `${n} runs of '${LINE}', 8 at a time, ${rounds} rounds (median), heap ballast ${ballast.length} objects`,
);
console.log('mode     parent ms/run  helper ms/run  shells ms/run  total ms/run');
for (const [mode, values] of Object.entries(rows)) {
  const columns = [0, 1, 2].map((i) => median(values.map((v) => v[i]!)));
  const total = median(values.map((v) => v[0]! + v[1]! + v[2]!));
  console.log(`${mode.padEnd(8)} ${[...columns, total].map((ms) => ms.toFixed(2).padStart(13)).join('  ')}`);
}
process.exit(0);
