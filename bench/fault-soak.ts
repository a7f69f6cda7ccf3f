/**
 * Bench: the fault soak of issue 11. `ha-valet watch --interval 1` (the real CLI, local
 * coordination) keeps a small TCP service on 127.0.0.2–.4 while a naive bash loop keeps the same
 * service on 127.0.0.12–.14; one seeded fault injector hits both at the same moments (kills,
 * hosts answering 255, hung tests, split brains, failed starts; over SSH also stopped and frozen
 * sshds). Every 100 ms it samples which hosts answer; it reports faults by kind, recovery
 * median/p99/max per kind, availability, longest outage, double-active time, the supervisors' RSS
 * and fds, and any process left behind, side by side.
 * Run: npm run build && node dist/bench/fault-soak.js [--duration 120] [--seed 1]
 *        [--mode recovery|injection] [--transport local|ssh] [--json] [--keep]
 *        [--outage-bound 10]   (the documented outage bound, seconds, for the target check)
 * See bench/fault-soak/ for the parts; BENCHMARKS.md for the figures.
 */
import { parseArgs } from 'node:util';
import { renderReport } from './fault-soak/report.js';
import { checkTargets } from './fault-soak/targets.js';
import { runFaultSoak, type Mode } from './fault-soak/run.js';
import { haValetSettingsNote } from './fault-soak/supervisors.js';
import type { Transport } from './fault-soak/side.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '120' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'recovery' },
    transport: { type: 'string', default: 'local' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'outage-bound': { type: 'string', default: '10' },
  },
});
const durationS = Number(values.duration);
const seed = Number(values.seed);
if (!(durationS >= 10)) throw new Error(`--duration: expected seconds ≥ 10, got ${values.duration}`);
if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got ${values.seed}`);
if (values.mode !== 'recovery' && values.mode !== 'injection')
  throw new Error(`--mode: expected recovery or injection, got ${values.mode}`);
if (values.transport !== 'local' && values.transport !== 'ssh')
  throw new Error(`--transport: expected local or ssh, got ${values.transport}`);

const boundS = Number(values['outage-bound']);
if (!(boundS > 0)) throw new Error(`--outage-bound: expected seconds > 0, got ${values['outage-bound']}`);

const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort.abort());
const result = await runFaultSoak({
  durationS,
  seed,
  mode: values.mode as Mode,
  transport: values.transport as Transport,
  keep: values.keep,
  signal: abort.signal,
  progress: (line) => process.stderr.write(`${line}\n`),
});
const targets = checkTargets(result, boundS * 1000);
if (values.json) console.log(JSON.stringify({ ...result, targets }, null, 2));
else {
  console.log(`${haValetSettingsNote()}\nha-valet config:\n${result.config}\n${renderReport(result)}`);
  for (const t of targets) console.log(`target ${t.met ? 'met' : 'MISSED'}: ${t.target}: ${t.figure}`);
}
