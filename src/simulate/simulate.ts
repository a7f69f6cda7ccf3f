/**
 * `simulate`: the real pass (fold observations, decide, act, record) over a
 * simulated world and a virtual clock, for several passes. Nothing is run,
 * stored or journaled; decide is called exactly as a real pass calls it.
 */
import type { ProcessConfig } from '../config/model.js';
import type { ActionOutcome } from '../decide/actions.js';
import { silentLogger } from '../log/logger.js';
import { runProcessPass } from '../pass/run-pass.js';
import { probeProcesses } from '../probe/probe.js';
import type { Observation } from '../probe/observation.js';
import { emptyProcessState, type ProcessState, type ProcessStatus } from '../state/model.js';
import { SimulatedHookExecutor, SimulatedPool, type WouldRun } from './simulated-pool.js';
import { conditionOf, failingHooks, ProcessWorld, type HostCondition, type WorldSpec } from './world.js';

export interface SimulationInput {
  processes: ProcessConfig[];
  world: WorldSpec;
  /** Stored state per process (--from-state); a process missing here starts fresh. */
  states: ReadonlyMap<string, ProcessState>;
  passes: number;
  /** The virtual clock's start (epoch ms) and the time between passes (the watcher's interval). */
  startAt: number;
  intervalMs: number;
}

/** What one simulated pass did for one process. */
export interface SimulatedProcessPass {
  name: string;
  status: ProcessStatus;
  activeHost: string | null;
  summary: string;
  observations: Observation[];
  outcomes: ActionOutcome[];
  /** Starts, stops and hook commands the real pass would have run, in order (tests left out). */
  commands: WouldRun[];
}

export interface SimulatedPass {
  pass: number;
  /** Virtual time of the pass (epoch ms). */
  at: number;
  processes: SimulatedProcessPass[];
}

/** The starting conditions of one process: stored observations (if any) overridden by the operator's world. */
function initialConditions(process: ProcessConfig, state: ProcessState | undefined, world: WorldSpec) {
  const conditions: Record<string, HostCondition> = {};
  for (const candidate of process.candidates) {
    const stored = state?.hosts[candidate.host]?.lastObservation;
    const given = world.hosts[candidate.host];
    if (given) conditions[candidate.host] = given;
    else if (stored) conditions[candidate.host] = conditionOf(stored);
  }
  return conditions;
}

/** Runs `input.passes` simulated passes over every process, in start order. */
export async function runSimulation(input: SimulationInput): Promise<SimulatedPass[]> {
  const log: WouldRun[] = [];
  const startFails = new Set(input.world.startFails);
  const worlds = new Map(
    input.processes.map((p) => [
      p.name,
      new ProcessWorld(p.name, initialConditions(p, input.states.get(p.name), input.world), startFails),
    ]),
  );
  const states = new Map(
    input.processes.map((p) => [p.name, input.states.get(p.name) ?? emptyProcessState()]),
  );
  const pool = new SimulatedPool(worlds, log);
  const hookExecutor = new SimulatedHookExecutor(log, {
    fences: new Set(input.world.fenceFails),
    hooks: failingHooks(input.world),
  });
  let clock = input.startAt;
  const deps = {
    pool,
    hookExecutor,
    logger: silentLogger,
    now: () => clock,
    sleep: (ms: number) => {
      clock += ms;
      return Promise.resolve();
    },
    mayAct: () => true,
    dryRun: false,
    recordJournal: () => Promise.resolve(),
  };
  const passes: SimulatedPass[] = [];
  for (let pass = 1; pass <= input.passes; pass++) {
    const at = clock;
    const observed = await probeProcesses(input.processes, pool, { now: deps.now });
    const results: SimulatedProcessPass[] = [];
    for (const process of input.processes) {
      hookExecutor.process = process.name;
      const first = log.length;
      const result = await runProcessPass(
        process,
        observed.get(process.name)!,
        states.get(process.name)!,
        deps,
      );
      states.set(process.name, result.state);
      results.push({
        name: process.name,
        status: result.status,
        activeHost: result.activeHost,
        summary: result.summary,
        observations: result.observations,
        outcomes: result.outcomes,
        commands: log.slice(first),
      });
    }
    passes.push({ pass, at, processes: results });
    clock = Math.max(clock, at + input.intervalMs);
  }
  return passes;
}
