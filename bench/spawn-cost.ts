/**
 * CPU per shell check: the same line run N times (8 at a time) spawned
 * directly from Node, through the spawn helper, and by a bash loop, with a
 * Node heap of about the watcher's size (fork copies page tables).
 *   npm run build && node dist/bench/spawn-cost.js [N] [ROUNDS]
 */
import { spawnSync } from 'node:child_process';
import { LocalExecutor, spawnHelperPids } from '../src/exec/local-executor.js';
import { runBounded } from '../src/probe/probe.js';
import { procCpu } from './lib/proc-cpu.js';

const n = Number(process.argv[2] ?? 400);
const rounds = Number(process.argv[3] ?? 3);
const LINE = '[ 2 = 1 ] && exit 1; exit 0';
// About the heap of a watcher of a few hundred processes (~100 MB RSS).
const ballast = Array.from({ length: 600_000 }, (_, i) => ({ i, s: `x${i}` }));

/** CPU ms of this process, its reaped children and the helpers (self and children). */
function cpuNow(): { parent: number; children: number } {
  const self = procCpu('self');
  const helpers = spawnHelperPids().map(procCpu);
  const helperSelf = helpers.reduce((sum, c) => sum + c.selfMs, 0);
  const helperChildren = helpers.reduce((sum, c) => sum + c.childrenMs, 0);
  return { parent: self.selfMs, children: self.childrenMs + helperSelf + helperChildren };
}

/** Runs the line n times through the executor in `mode`; CPU ms per run (parent, children). */
async function measure(mode: 'helper' | 'direct'): Promise<[number, number]> {
  process.env.HA_VALET_SPAWN = mode;
  const local = new LocalExecutor('localhost');
  await local.run('true', { timeoutMs: 5000 }); // start the helper outside the measurement
  const before = cpuNow();
  await runBounded(
    Array.from({ length: n }, () => () => local.run(LINE, { timeoutMs: 5000 })),
    8,
  );
  const after = cpuNow();
  return [(after.parent - before.parent) / n, (after.children - before.children) / n];
}

/** The bash loop: CPU ms per run, all of it in children of this process. */
function bashLoop(): number {
  const before = procCpu('self').childrenMs;
  spawnSync('bash', ['-c', `for i in $(seq ${n}); do sh -c '${LINE}'; done`], { stdio: 'ignore' });
  return (procCpu('self').childrenMs - before) / n;
}

const rows: Record<string, number[][]> = { direct: [], helper: [], bash: [] };
for (let round = 0; round < rounds; round++) {
  rows.direct!.push(await measure('direct'));
  rows.helper!.push(await measure('helper'));
  rows.bash!.push([0, bashLoop()]);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `${n} runs of '${LINE}', 8 at a time, ${rounds} rounds (median), heap ballast ${ballast.length} objects`,
);
console.log('mode            parent ms/run  children ms/run  total ms/run');
for (const [mode, values] of Object.entries(rows)) {
  const parent = median(values.map((v) => v[0]!));
  const children = median(values.map((v) => v[1]!));
  console.log(
    `${mode.padEnd(15)} ${parent.toFixed(2).padStart(13)}  ${children.toFixed(2).padStart(15)}  ${(parent + children).toFixed(2).padStart(12)}`,
  );
}
process.exit(0);
