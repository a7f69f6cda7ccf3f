/**
 * The fault injector. A fault is drawn once from the seeded schedule and applied to every side at
 * the same moment, each side resolving "the active instance" for itself:
 * - kill: SIGKILL of the active instance (the most preferred one that runs);
 * - failed-start: the preferred host's start fails for a while, and the active instance is killed
 *   (so a start is needed and the preferred host refuses it);
 * - split-brain: a second instance started by hand on a host that has none;
 * - unreachable: a host's test answers 255 for a while; hang: a host's test hangs for a while;
 * - sshd-stop / sshd-freeze (SSH only): a host's sshd stopped, or SIGSTOPped with its sessions,
 *   for a while.
 * Host faults hit the active host half of the time, otherwise a random host.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { descendantsOf } from '../../test/helpers/sshd.js';
import { instancePids, listProcesses, signalQuietly } from './procs.js';
import type { Random } from './random.js';
import { DEMO_SERVICE, faultFile, type Side, type Transport } from './side.js';

export const LOCAL_KINDS = ['kill', 'failed-start', 'split-brain', 'unreachable', 'hang'] as const;
export const SSH_KINDS = ['sshd-stop', 'sshd-freeze'] as const;
export type FaultKind = (typeof LOCAL_KINDS)[number] | (typeof SSH_KINDS)[number];

/** Kinds whose effect lasts `durationMs` and then is undone. */
export const LASTING: ReadonlySet<FaultKind> = new Set([
  'failed-start',
  'unreachable',
  'hang',
  'sshd-stop',
  'sshd-freeze',
]);
/** Kinds that hide a host from the supervisor's test while they last. */
export const HOST_FAULTS: ReadonlySet<FaultKind> = new Set([
  'unreachable',
  'hang',
  'sshd-stop',
  'sshd-freeze',
]);
/** Kinds that act at once (a kill, a second instance): recovery is timed from the injection. */
export const IMMEDIATE: ReadonlySet<FaultKind> = new Set(['kill', 'failed-start', 'split-brain']);

export interface FaultPlan {
  id: number;
  kind: FaultKind;
  durationMs: number;
  /** Host faults: aim at the active host (else at hosts[floor(pick × n)]). */
  atActive: boolean;
  pick: number;
}

/** What one fault did on one side; `undo` ends a lasting fault. */
export interface Applied {
  applied: boolean;
  host: string | null;
  undo: (() => Promise<void>) | null;
}

/**
 * How often each kind is drawn. Deaths are what a restart policy is for, so kills and failed starts
 * are about half of the faults (local 5 of 8, SSH 5 of 10), as in the soak issue 11 describes.
 */
export const WEIGHTS: Record<FaultKind, number> = {
  kill: 3,
  'failed-start': 2,
  'split-brain': 1,
  unreachable: 1,
  hang: 1,
  'sshd-stop': 1,
  'sshd-freeze': 1,
};

/** Draws the next fault from the schedule. */
export function drawFault(random: Random, id: number, transport: Transport): FaultPlan {
  const kinds: FaultKind[] = transport === 'ssh' ? [...LOCAL_KINDS, ...SSH_KINDS] : [...LOCAL_KINDS];
  const weighted = kinds.flatMap((k) => Array<FaultKind>(WEIGHTS[k]).fill(k));
  const kind = random.pick(weighted);
  const durationMs = Math.round(random.between(5000, 15000));
  return { id, kind, durationMs, atActive: random.next() < 0.5, pick: random.next() };
}

/** The host of the side's active instance (the most preferred one running), or null. */
export function activeHost(side: Side): string | null {
  const procs = listProcesses();
  return side.hosts.find((h) => instancePids(h, side.port, procs).length > 0) ?? null;
}

/** SIGKILLs the active instance; the host it ran on, or null when none ran. */
function killActive(side: Side): string | null {
  const procs = listProcesses();
  for (const host of side.hosts) {
    const pids = instancePids(host, side.port, procs);
    if (pids.length === 0) continue;
    for (const pid of pids) signalQuietly(pid, 'SIGKILL');
    return host;
  }
  return null;
}

/** Starts an instance by hand on `host` (as an operator would), bypassing the fault files. */
function startByHand(side: Side, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DEMO_SERVICE, 'start', host, String(side.port)], {
      env: { ...process.env, HA_VALET_DEMO_DIR: `${side.dir}/demo` },
      stdio: 'ignore',
    });
    child.once('exit', (code) => resolve(code === 0));
    child.once('error', () => resolve(false));
  });
}

/** The host a host fault aims at on this side; `busy` hosts are skipped (next one in order). */
function targetHost(side: Side, plan: FaultPlan, busy: ReadonlySet<string>): string | null {
  const active = plan.atActive ? activeHost(side) : null;
  const first = active ? side.hosts.indexOf(active) : Math.floor(plan.pick * side.hosts.length);
  for (let k = 0; k < side.hosts.length; k += 1) {
    const host = side.hosts[(first + k) % side.hosts.length]!;
    if (!busy.has(host)) return host;
  }
  return null;
}

/** A fault file that exists until undone. */
function fileFault(side: Side, host: string, kind: string, id: number): Applied {
  const file = faultFile(side, host, kind, id);
  writeFileSync(file, '');
  return { applied: true, host, undo: async () => rmSync(file, { force: true }) };
}

/** Applies `plan` to `side`. `sshdBusy` holds the side's hosts whose sshd is already faulted. */
export async function applyFault(side: Side, plan: FaultPlan, sshdBusy: Set<string>): Promise<Applied> {
  const none: Applied = { applied: false, host: null, undo: null };
  switch (plan.kind) {
    case 'kill': {
      const host = killActive(side);
      return host ? { applied: true, host, undo: null } : none;
    }
    case 'failed-start': {
      const fault = fileFault(side, side.hosts[0]!, 'startfail', plan.id);
      killActive(side);
      return fault;
    }
    case 'split-brain': {
      const procs = listProcesses();
      const free = side.hosts.filter((h) => instancePids(h, side.port, procs).length === 0);
      if (free.length === 0) return none;
      const host = free[Math.floor(plan.pick * free.length)]!;
      return (await startByHand(side, host)) ? { applied: true, host, undo: null } : none;
    }
    case 'unreachable':
    case 'hang': {
      const host = targetHost(side, plan, new Set());
      return host ? fileFault(side, host, plan.kind, plan.id) : none;
    }
    case 'sshd-stop':
    case 'sshd-freeze': {
      const host = targetHost(side, plan, sshdBusy);
      if (!host) return none;
      sshdBusy.add(host);
      const sshd = side.sshds[side.hosts.indexOf(host)]!;
      if (plan.kind === 'sshd-stop') {
        await sshd.stop();
        return { applied: true, host, undo: async () => (await sshd.start(), void sshdBusy.delete(host)) };
      }
      const frozen = sshd.pid === null ? [] : [sshd.pid, ...descendantsOf(sshd.pid)];
      for (const pid of frozen) signalQuietly(pid, 'SIGSTOP');
      const undo = async (): Promise<void> => {
        for (const pid of frozen) signalQuietly(pid, 'SIGCONT');
        sshdBusy.delete(host);
      };
      return { applied: true, host, undo };
    }
  }
}
