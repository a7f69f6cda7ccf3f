/** The body of `simulate`: load config (and state with --from-state), simulate, print. */
import type { Command } from 'commander';
import { loadConfigFromOptions } from '../config/load-config.js';
import type { Config } from '../config/model.js';
import { UsageError } from '../errors.js';
import { renderSimulationJson, renderSimulationText } from '../simulate/render.js';
import { runSimulation } from '../simulate/simulate.js';
import { parseWorldFlags, type WorldSpec } from '../simulate/world.js';
import type { ProcessState } from '../state/model.js';
import type { SimulateOptions } from './commands/simulate.js';
import type { GlobalOptions } from '../runtime/global-options.js';
import { selectProcesses } from '../runtime/select-processes.js';

/** Most passes `--passes` accepts. */
const MAX_PASSES = 100;

/** `--passes`: a whole number from 1 to MAX_PASSES. */
function parsePasses(text: string): number {
  const passes = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(passes >= 1 && passes <= MAX_PASSES)) {
    throw new UsageError(`--passes expects a whole number from 1 to ${MAX_PASSES}, got '${text}'`);
  }
  return passes;
}

/** A host named in the world that is no candidate of any selected process is most likely a typo. */
function checkHostsKnown(config: Config, names: string[], world: WorldSpec): void {
  const known = new Set(
    config.processes.filter((p) => names.includes(p.name)).flatMap((p) => p.candidates.map((c) => c.host)),
  );
  const named = [...Object.keys(world.hosts), ...world.startFails, ...world.fenceFails];
  const unknown = named.filter((h) => !known.has(h));
  if (unknown.length > 0) {
    throw new UsageError(
      `host ${[...new Set(unknown)].join(', ')} is no candidate of the selected processes; known: ${[...known].join(', ')}`,
    );
  }
}

/** The stored state of each process (read only; nothing is claimed or saved). */
async function loadStates(config: Config, names: string[]): Promise<Map<string, ProcessState>> {
  const { createCoordinator } = await import('../coord/create-coordinator.js');
  const coordinator = await createCoordinator(config);
  try {
    const states = new Map<string, ProcessState>();
    for (const name of names) states.set(name, await coordinator.state.load(name));
    return states;
  } finally {
    await coordinator.close();
  }
}

/** Runs the simulation the options describe and prints it. */
export async function runSimulateCommand(command: Command, options: SimulateOptions): Promise<void> {
  const config = await loadConfigFromOptions(command.optsWithGlobals<GlobalOptions>());
  const processes = selectProcesses(config, options.process);
  const names = processes.map((p) => p.name);
  const world = parseWorldFlags(options);
  checkHostsKnown(config, names, world);
  const passes = parsePasses(options.passes);
  const fromState = options.fromState === true;
  const states = fromState ? await loadStates(config, names) : new Map<string, ProcessState>();
  const result = await runSimulation({
    processes,
    world,
    states,
    passes,
    startAt: Date.now(),
    intervalMs: config.global.intervalMs,
  });
  process.stdout.write(
    options.json
      ? renderSimulationJson(config.file, result, world, fromState)
      : renderSimulationText(result, world, fromState),
  );
}
