/** Turns action outcomes and status transitions into journal lines. */
import type { ProcessConfig } from '../config/model.js';
import type { ActionOutcome } from '../decide/actions.js';
import type { HostFailure, JournalEntry, ProcessStatus } from '../state/model.js';
import type { SettledCleanup } from '../act/pending-cleanups.js';

/** The journal lines for one outcome: the action itself and each hook step. */
export function outcomeEntries(
  process: ProcessConfig,
  outcome: ActionOutcome,
  at: number,
  epoch?: string,
): JournalEntry[] {
  const { action } = outcome;
  const hooks = (outcome.hookSteps ?? []).map((step): JournalEntry => ({
    at,
    process: process.name,
    event: 'hook',
    host: action.type === 'hook' ? action.toHost : action.host,
    command: step.command,
    exitCode: step.exitCode,
    durationMs: step.durationMs,
    ok: step.ok,
    reason: `${step.hook}: ${step.reason}`,
    ...(epoch ? { epoch } : {}),
  }));
  if (action.type === 'hook') return hooks;
  const command = process.candidates.find((c) => c.host === action.host)?.commands[
    action.type === 'stop' ? 'stop' : action.type === 'fence' ? 'fence' : 'start'
  ];
  const main: JournalEntry = {
    at,
    process: process.name,
    event: action.type,
    host: action.host,
    command,
    exitCode: outcome.exitCode ?? null,
    durationMs: outcome.durationMs,
    ok: outcome.ok,
    reason: `${action.reason} → ${outcome.reason}`,
    ...(epoch ? { epoch } : {}),
  };
  const members = (outcome.memberSteps ?? []).map((step): JournalEntry => ({
    at,
    process: process.name,
    member: step.member,
    event: `member-${step.step}`,
    host: step.host,
    command: step.command,
    exitCode: step.exitCode,
    durationMs: step.durationMs,
    ok: step.ok,
    reason: `${process.name}/${step.member}: ${step.reason}`,
    ...(epoch ? { epoch } : {}),
  }));
  return [
    ...hooks.filter((h) => h.reason?.startsWith('beforeFailover')),
    ...members,
    main,
    ...hooks.filter((h) => !h.reason?.startsWith('beforeFailover')),
  ];
}

/** The journal line of a status change, in supervisor's style: `DOWN -> UP`. */
export function transitionEntry(
  process: ProcessConfig,
  from: ProcessStatus,
  to: ProcessStatus,
  summary: string,
  host: string | null,
  at: number,
  epoch?: string,
): JournalEntry {
  return {
    at,
    process: process.name,
    event: 'transition',
    host,
    reason: `${from.toUpperCase()} -> ${to.toUpperCase()}: ${summary}`,
    ...(epoch ? { epoch } : {}),
  };
}

/** The journal line of a death seen by a probe: `died 3 s after its start on B` (event `died`). */
export function deathEntry(
  process: ProcessConfig,
  death: HostFailure & { host: string },
  epoch?: string,
): JournalEntry {
  return {
    at: death.at,
    process: process.name,
    event: death.kind === 'died-early' ? 'died-early' : 'died',
    host: death.host,
    ok: false,
    reason: death.reason,
    ...(epoch ? { epoch } : {}),
  };
}

/**
 * The journal line of a failed start's cleanup (event `cleanup`): its stop command and what
 * the host's test saw after it. ok = the stop exited 0 and the host now reports down.
 */
export function cleanupEntry(cleanup: SettledCleanup, at: number, epoch?: string): JournalEntry {
  const seen = cleanup.observation?.kind ?? 'not tested';
  const ran =
    cleanup.command === null ? 'stop not run: no longer acting' : `stop exit ${cleanup.exitCode ?? 'none'}`;
  return {
    at,
    process: cleanup.process,
    event: 'cleanup',
    host: cleanup.host,
    ...(cleanup.command === null ? {} : { command: cleanup.command }),
    exitCode: cleanup.exitCode,
    durationMs: cleanup.durationMs,
    ok: cleanup.exitCode === 0 && cleanup.observation?.kind === 'down',
    reason: `after ${cleanup.why}: ${ran}, host then ${seen}`,
    ...(epoch ? { epoch } : {}),
  };
}
