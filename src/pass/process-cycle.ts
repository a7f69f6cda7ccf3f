/**
 * One process's full cycle: (probe) → load state → claim an operator request →
 * decide/act/record → save state. Used by a one-shot pass and by the watcher.
 */
import type { ProcessConfig } from '../config/model.js';
import type { Observation } from '../probe/observation.js';
import { probeProcesses, type CheckListener } from '../probe/probe.js';
import type { StateStore } from '../state/state-store.js';
import { takeRequest } from '../state/request-queue.js';
import { runProcessPass, type PassDeps, type ProcessPassResult } from './run-pass.js';

export interface CycleDeps extends PassDeps {
  store: StateStore;
  /** The config's state dir, where operator requests wait. */
  stateDir: string;
  onCheck?: CheckListener;
}

/** Runs one cycle for `process`; probes first unless `observed` is given. */
export async function runProcessCycle(
  process: ProcessConfig,
  deps: CycleDeps,
  observed?: Observation[],
): Promise<ProcessPassResult> {
  const observations =
    observed ??
    (await probeProcesses([process], deps.pool, { onCheck: deps.onCheck, now: deps.now })).get(process.name)!;
  let state = await deps.store.load(process.name);
  if (!deps.dryRun) {
    const request = await takeRequest(deps.stateDir, process.name);
    if (request) {
      state = { ...state, request };
      deps.logger.info(
        `${process.name}: operator request ${request.type}${request.host ? ` ${request.host}` : ''} by ${request.by}`,
        {
          process: process.name,
        },
      );
      await deps.recordJournal([
        {
          at: deps.now(),
          process: process.name,
          event: 'operator',
          host: request.host,
          by: request.by,
          reason: request.type,
        },
      ]);
    }
  }
  const result = await runProcessPass(process, observations, state, deps);
  if (!deps.dryRun) {
    const saved = await deps.store.save(process.name, result.state);
    if (!saved)
      deps.logger.warn(`${process.name}: state not saved: this watcher no longer leads`, {
        process: process.name,
      });
  }
  return result;
}

/** Runs a cycle for every process: all tests at once, then actions process by process in start order. */
export async function runProcessesOnce(
  processes: ProcessConfig[],
  deps: CycleDeps,
): Promise<ProcessPassResult[]> {
  const observed = await probeProcesses(processes, deps.pool, { onCheck: deps.onCheck, now: deps.now });
  const results: ProcessPassResult[] = [];
  for (const process of processes) {
    results.push(await runProcessCycle(process, deps, observed.get(process.name)));
  }
  return results;
}
