/**
 * One process's full cycle: (probe) → publish what was seen → load state →
 * claim an operator request → decide/act/record → save state. Used by a
 * one-shot pass and by the watcher; the coordinator says where state lives.
 */
import type { ProcessConfig } from '../config/model.js';
import type { Coordinator } from '../coord/coordinator.js';
import type { Observation } from '../probe/observation.js';
import type { ChangeAwareStateStore } from '../state/change-aware-store.js';
import { probeProcesses, type CheckListener } from '../probe/probe.js';
import type { MergedView } from '../quorum/merged-view.js';
import { reconcileHostsEntry } from '../resources/reconcile-hosts.js';
import { reconcileVip } from '../resources/reconcile-vip.js';
import { readMergedView, type QuorumSettings } from '../quorum/read-view.js';
import { runProcessPass, type PassDeps, type ProcessPassResult } from './run-pass.js';

export interface CycleDeps extends PassDeps {
  coordinator: Coordinator;
  onCheck?: CheckListener;
  /**
   * Where the cycle loads and saves state instead of `coordinator.state`: the
   * watcher's ChangeAwareStateStore, which writes only when something durable changed.
   */
  stateStore?: ChangeAwareStateStore;
  /** How peers' observations count (coordination = etcd); absent = this watcher alone decides. */
  quorum?: QuorumSettings;
}

/** Publishes observations for peers; a store problem is logged, never fatal to the cycle. */
async function publish(deps: CycleDeps, process: ProcessConfig, observations: Observation[]): Promise<void> {
  try {
    await deps.coordinator.publishObservations(process.name, observations);
  } catch (error) {
    // While coordination is lost the watcher has said so once already; do not repeat it every cycle.
    const log = deps.coordinator.health().ok ? deps.logger.warn : deps.logger.debug;
    log(`${process.name}: could not publish observations: ${(error as Error).message}`, {
      process: process.name,
    });
  }
}

/** Peers already reported for a clock ahead of this watcher's, per coordinator (logged once each). */
const skewReported = new WeakMap<Coordinator, Set<string>>();

/** Logs, once per peer, a peer whose records are dated ahead of this watcher's clock (counted stale). */
function noteClockSkew(deps: CycleDeps, view: MergedView | undefined): MergedView | undefined {
  if (!view) return view;
  const reported = skewReported.get(deps.coordinator) ?? new Set<string>();
  skewReported.set(deps.coordinator, reported);
  for (const watcher of view.ahead.filter((w) => !reported.has(w))) {
    reported.add(watcher);
    deps.logger.warn(
      `watcher ${watcher} publishes records dated ahead of this watcher's clock: its views count as stale until the clocks agree (check NTP)`,
      { watcher },
    );
  }
  return view;
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
  await publish(deps, process, observations);
  const quorum = deps.quorum;
  const readView = quorum
    ? async () =>
        noteClockSkew(deps, await readMergedView(deps.coordinator, process.name, quorum, deps.now()))
    : undefined;
  const store = deps.stateStore ?? deps.coordinator.state;
  let state = await store.load(process.name);
  let claimed = false;
  if (!deps.dryRun) {
    const request = (await deps.coordinator.claimRequest(process.name)) ?? state.request;
    if (request) {
      claimed = true;
      state = { ...state, request };
      const target = request.host ? ` ${request.host}` : '';
      deps.logger.info(`${process.name}: operator request ${request.type}${target} by ${request.by}`, {
        process: process.name,
      });
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
  const passed = await runProcessPass(process, observations, state, { ...deps, readView });
  const result =
    process.vip || process.hostsEntry ? await followWithResources(process, passed, deps) : passed;
  if (!deps.dryRun) {
    // An operator waiting on a request watches for a save after its claim: always write then.
    const saved = deps.stateStore
      ? await deps.stateStore.save(process.name, result.state, claimed)
      : await deps.coordinator.state.save(process.name, result.state);
    if (!saved) {
      deps.logger.warn(`${process.name}: state not saved: this watcher no longer leads`, {
        process: process.name,
      });
    }
  }
  return result;
}

/** Moves the VIP and the clients' hosts-file line to where the pass left the service. */
async function followWithResources(
  process: ProcessConfig,
  passed: ProcessPassResult,
  deps: CycleDeps,
): Promise<ProcessPassResult> {
  const move = passed.planned.find((a) => a.type === 'start' || a.type === 'switchover');
  const unreachable = Object.fromEntries(
    passed.observations
      .filter((o) => o.kind === 'unreachable')
      .map((o) => [o.host, o.reason ?? 'unreachable']),
  );
  const service = {
    status: passed.status,
    activeHost: passed.activeHost,
    plannedHost: move ? move.host : null,
    unreachable,
  };
  let { state, summary } = passed;
  if (process.vip) {
    const vip = await reconcileVip(process, process.vip, service, deps);
    if (vip.record) state = { ...state, vip: vip.record };
    summary = `${summary}; ${vip.summary}`;
  }
  if (process.hostsEntry) {
    const hosts = await reconcileHostsEntry(process, process.hostsEntry, service, deps);
    if (hosts.record) state = { ...state, hostsEntry: hosts.record };
    if (hosts.summary) summary = `${summary}; ${hosts.summary}`;
  }
  return { ...passed, summary, state };
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
