/**
 * The body every operator command shares (move, start, stop, maintenance, reset):
 * validate the names and the host, leave the request for whoever acts next on the
 * process, then carry it out at once when no watcher leads (the cron shape), or
 * say it is queued for the running watcher (and, with --wait, watch it happen).
 * The request semantics live in src/decide/operator.ts; this only delivers them.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { ProcessConfig } from '../config/model.js';
import { DURATION_FORM, tryParseDuration } from '../config/duration.js';
import type { Coordinator, Leadership } from '../coord/coordinator.js';
import { EXIT_NOT_UP, EXIT_OK, UsageError } from '../errors.js';
import { createExecutorPool } from '../exec/create-pool.js';
import { runProcessCycle } from '../pass/process-cycle.js';
import type { OperatorRequest, OperatorRequestType, ProcessState } from '../state/model.js';
import { createCycleDeps } from '../runtime/cycle-deps.js';
import { formatEntry } from './commands/history.js';
import { openRuntime, type Runtime } from '../runtime/runtime.js';
import { selectProcesses } from '../runtime/select-processes.js';

/** What one operator command asks for. */
export interface OperatorCommandSpec {
  type: OperatorRequestType;
  /** The -p names (at least one). */
  names: string[];
  /** Target host (--to for move, --on for start). */
  host?: string;
  /** The flag the host came from, for messages. */
  hostFlag?: string;
  /** --wait: true (default time) or a duration; undefined = do not wait. */
  wait?: string | boolean;
}

/** Whether a request was carried out, and the sentence that says so. */
interface Verdict {
  done: boolean;
  detail: string;
}

/** Default --wait when given without a value. */
const DEFAULT_WAIT_MS = 60_000;
/** How often --wait looks at the journal and the state. */
const POLL_MS = 250;
/** Clock skew allowed between this host and the watcher's when matching the journal. */
const SKEW_MS = 5_000;

/** Runs an operator command; resolves with the exit code (0 carried out or queued, 1 not carried out). */
export async function runOperatorCommand(command: Command, spec: OperatorCommandSpec): Promise<number> {
  const waitMs = parseWait(spec.wait);
  const runtime = await openRuntime(command);
  const { coordinator } = runtime;
  try {
    const processes = selectProcesses(runtime.config, spec.names);
    if (spec.host !== undefined) {
      for (const process of processes) checkCandidate(runtime, process, spec.host, spec.hostFlag ?? '--to');
    }
    const by = describeOperator();
    const requests = new Map<string, OperatorRequest>();
    for (const process of processes) {
      const request: OperatorRequest = { type: spec.type, host: spec.host ?? null, by, at: Date.now() };
      await coordinator.submitRequest(process.name, request);
      requests.set(process.name, request);
    }
    const leadership = await coordinator.acquire();
    if (leadership) return await carryOutNow(runtime, processes, requests, leadership);
    return await reportQueued(runtime, processes, requests, waitMs);
  } finally {
    await coordinator.close();
  }
}

/** `--wait [SECONDS]` in ms, or null when not waiting. */
function parseWait(wait: string | boolean | undefined): number | null {
  if (wait === undefined || wait === false) return null;
  if (wait === true) return DEFAULT_WAIT_MS;
  const ms = tryParseDuration(wait);
  if (ms === null || ms <= 0)
    throw new UsageError(`--wait expects ${DURATION_FORM} greater than 0, got '${wait}'`);
  return ms;
}

/** A target host must be one of the process's candidates; else a usage error listing them. */
function checkCandidate(runtime: Runtime, process: ProcessConfig, host: string, flag: string): void {
  if (process.candidates.some((c) => c.host === host)) return;
  const list = process.candidates.map((c) => c.host).join(', ');
  throw new UsageError(
    `${flag} ${host}: not a candidate host of ${process.name} in ${runtime.config.file}; candidates: ${list}`,
  );
}

/** Who asked: the invoking user (the sudo caller, when run through sudo) at this host. */
export function describeOperator(): string {
  const user = process.env.SUDO_USER || os.userInfo().username;
  return `${user}@${os.hostname()}`;
}

/** Nobody else leads: run one cycle of each process now, which claims and carries out the request. */
async function carryOutNow(
  runtime: Runtime,
  processes: ProcessConfig[],
  requests: Map<string, OperatorRequest>,
  leadership: Leadership,
): Promise<number> {
  const pool = await createExecutorPool(processes, {
    warn: (m) => runtime.logger.warn(m),
    debug: (m) => runtime.logger.debug(m),
  });
  try {
    const deps = createCycleDeps(runtime, pool, {
      dryRun: false,
      mayAct: () => leadership.isValid(),
      epoch: runtime.coordinator.backend === 'etcd' ? leadership.epoch : undefined,
    });
    let allDone = true;
    for (const process of processes) {
      const request = requests.get(process.name)!;
      const result = await runProcessCycle(process, deps);
      const verdict = judge(process, request, result.state, request.at);
      allDone &&= verdict.done;
      writeOut(`${result.summary}\n${describeVerdict(process, request, verdict)}\n`);
    }
    return allDone ? EXIT_OK : EXIT_NOT_UP;
  } finally {
    await pool.closeAll();
  }
}

/** A watcher leads: say the request is queued; with --wait, follow it until its outcome shows. */
async function reportQueued(
  runtime: Runtime,
  processes: ProcessConfig[],
  requests: Map<string, OperatorRequest>,
  waitMs: number | null,
): Promise<number> {
  const { coordinator } = runtime;
  const leader = (await coordinator.refreshHealth()).leader ?? 'unknown';
  writeOut(`request queued: the running watcher (${leader}) will carry it out within one interval\n`);
  if (waitMs === null) return EXIT_OK;
  const deadline = Date.now() + waitMs;
  let allDone = true;
  for (const process of processes) {
    const request = requests.get(process.name)!;
    const seen = await waitForOutcome(coordinator, process, request, deadline);
    if (!seen.verdict) {
      allDone = false;
      const where = seen.claimedAt === null ? 'still queued for' : 'taken, but not finished by';
      writeOut(
        `${process.name}: ${describeRequest(request)}: no outcome within ${Math.round(waitMs / 1000)} s; ` +
          `the request is ${where} the watcher (${leader}); see 'ha-valet status -p ${process.name}'\n`,
      );
      continue;
    }
    const entries = await coordinator.journal.read({ process: [process.name], since: seen.claimedAt! });
    writeOut(entries.map((e) => `${formatEntry(e)}\n`).join(''));
    allDone &&= seen.verdict.done;
    writeOut(`${describeVerdict(process, request, seen.verdict)}\n`);
  }
  return allDone ? EXIT_OK : EXIT_NOT_UP;
}

/**
 * Polls until the watcher has claimed `request` (its 'operator' journal line) and
 * the outcome shows in the state: the request's goal is met, or a later cycle
 * has saved fresh observations (so the claiming cycle is over). No verdict on timeout.
 */
async function waitForOutcome(
  coordinator: Coordinator,
  process: ProcessConfig,
  request: OperatorRequest,
  deadline: number,
): Promise<{ verdict: Verdict | null; claimedAt: number | null }> {
  let claimedAt: number | null = null;
  // The local backend shares this clock; an etcd leader on another host may lag a little.
  const earliest = coordinator.backend === 'local' ? request.at : request.at - SKEW_MS;
  for (;;) {
    if (claimedAt === null) {
      const entries = await coordinator.journal.read({ process: [process.name], since: earliest });
      const claim = entries.findLast(
        (e) =>
          e.event === 'operator' &&
          e.by === request.by &&
          e.reason === request.type &&
          (e.host ?? null) === request.host,
      );
      claimedAt = claim?.at ?? null;
    }
    if (claimedAt !== null) {
      const state = await coordinator.state.load(process.name);
      const verdict = judge(process, request, state, claimedAt);
      if (verdict.done || observedAfter(state, claimedAt)) return { verdict, claimedAt };
    }
    if (Date.now() >= deadline) return { verdict: null, claimedAt };
    await sleep(POLL_MS);
  }
}

/** True when a cycle that started after `at` has saved the state. */
function observedAfter(state: ProcessState, at: number): boolean {
  return Object.values(state.hosts).some((h) => (h.lastObservation?.at ?? 0) > at);
}

/** Whether the state shows `request` carried out (actions since `since` count). */
function judge(
  process: ProcessConfig,
  request: OperatorRequest,
  state: ProcessState,
  since: number,
): Verdict {
  const name = process.name;
  const where = state.activeHost ? ` on ${state.activeHost}` : '';
  switch (request.type) {
    case 'move':
    case 'start': {
      const target = request.host;
      if (state.status === 'up' && (target === null || state.activeHost === target))
        return { done: true, detail: `up${where}` };
      const want = target ? `up on ${target}` : 'up';
      return {
        done: false,
        detail: `${name} is ${state.status}${where}, not ${want}${hostTrouble(state, target)}`,
      };
    }
    case 'stop': {
      const failed =
        state.lastAction?.type === 'stop' && !state.lastAction.ok && state.lastAction.at >= since;
      if (state.maintenance && !failed)
        return {
          done: true,
          detail: `stopped and held: passes will not start it until 'ha-valet start -p ${name}'`,
        };
      const why = failed
        ? `stop on ${state.lastAction!.host} failed: ${state.lastAction!.reason}`
        : 'not held';
      return { done: false, detail: why };
    }
    case 'maintenance-on':
      return state.maintenance
        ? {
            done: true,
            detail: `in maintenance: passes probe and report but do not act until 'ha-valet maintenance off -p ${name}'`,
          }
        : { done: false, detail: 'not in maintenance' };
    case 'maintenance-off':
      return state.maintenance
        ? { done: false, detail: 'still in maintenance' }
        : { done: true, detail: `out of maintenance: passes act again (now ${state.status}${where})` };
    case 'reset':
      return state.givenUpAt === null && !state.latched
        ? { done: true, detail: `given-up, latch and back-off cleared (now ${state.status}${where})` }
        : { done: false, detail: `still ${state.status}` };
  }
}

/** `; last test of 127.0.0.4: host unreachable (exit 255)` when the target host's last test was not fine. */
function hostTrouble(state: ProcessState, host: string | null): string {
  const observation = host ? state.hosts[host]?.lastObservation : undefined;
  if (!observation || observation.kind === 'up' || observation.kind === 'down') return '';
  return `; last test of ${host}: ${observation.reason ?? observation.kind}`;
}

/** `move to 127.0.0.3`, `stop`, `maintenance on`. */
function describeRequest(request: OperatorRequest): string {
  const label = request.type.replace('-', ' ');
  if (request.host === null) return label;
  return `${label} ${request.type === 'move' ? 'to' : 'on'} ${request.host}`;
}

/** The verdict line: `Svc: move to 127.0.0.3 by ops@a: done (up on 127.0.0.3)`. */
function describeVerdict(process: ProcessConfig, request: OperatorRequest, verdict: Verdict): string {
  const outcome = verdict.done ? 'done' : 'not carried out';
  return `${process.name}: ${describeRequest(request)} by ${request.by}: ${outcome} (${verdict.detail})`;
}

/** Writes command output to stdout. */
function writeOut(text: string): void {
  process.stdout.write(text);
}
