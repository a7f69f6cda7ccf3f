/**
 * After a process's pass: probe which candidates hold its VIP, plan with the
 * pure rule, carry the steps out, verify by probing the touched hosts again,
 * journal each step, and keep what was seen in the process state for status.
 */
import type { ActContext } from '../act/context.js';
import type { ProcessConfig, VipConfig } from '../config/model.js';
import type { JournalEntry, ProcessStatus } from '../state/model.js';
import { executeVipStep, type VipStepOutcome } from './vip-act.js';
import type { VipRecord } from '../state/resource-records.js';
import type { VipHolding } from './vip-holding.js';
import { probeVipHolders } from './vip-probe.js';
import { planVip, type VipPlan, type VipStep } from './vip-rule.js';

/** What the VIP step needs of a pass: where it left the service. */
export interface ServiceAfterPass {
  status: ProcessStatus;
  activeHost: string | null;
  /** In a dry run, the host a planned start or switchover would have moved the service to. */
  plannedHost: string | null;
  /** Hosts this pass's probe found unreachable: not asked again (that would wait for their timeout twice). */
  unreachable: Record<string, string>;
}

export interface VipDeps extends ActContext {
  dryRun: boolean;
  /** Whether a new action may begin (a stopping watcher begins none); default mayAct. */
  mayStartAction?(): boolean;
  recordJournal(entries: JournalEntry[]): Promise<void>;
  epoch?: string;
}

export interface VipResult {
  /** Appended to the pass's sentence: '; VIP 10.0.0.50 removed from A, added on B'. */
  summary: string;
  /** What to keep in the process state (null in a dry run: nothing is saved). */
  record: VipRecord | null;
}

/** Reconciles the VIP of `process` with where the pass left the service. */
export async function reconcileVip(
  process: ProcessConfig,
  vip: VipConfig,
  service: ServiceAfterPass,
  deps: VipDeps,
): Promise<VipResult> {
  const holdings = await probeVipHolders(process, vip, deps.pool, { skip: service.unreachable });
  const plan =
    deps.dryRun && service.plannedHost !== null
      ? planVip('up', service.plannedHost, holdings, vip.interfaces)
      : planVip(service.status, service.activeHost, holdings, vip.interfaces);
  if (deps.dryRun) {
    const steps = plan.steps.map((step) => describeStep(step, false)).join(', then ');
    const tail = steps ? ` [dry run: would ${steps}]` : '';
    return { summary: `${describeHolders(vip, holdings)}${tail}`, record: null };
  }
  const outcomes: VipStepOutcome[] = [];
  if ((deps.mayStartAction ?? deps.mayAct)()) {
    for (const step of plan.steps) outcomes.push(await executeVipStep(deps, process, vip, step));
    await deps.recordJournal(outcomes.map((o) => journalEntry(process, vip, o, deps)));
  }
  const touched = [...new Set(outcomes.filter((o) => !o.refused).map((o) => o.step.host))];
  const fresh = touched.length > 0 ? await probeVipHolders(process, vip, deps.pool, { only: touched }) : [];
  const final = holdings.map((h) => fresh.find((f) => f.host === h.host) ?? h);
  const record = recordOf(vip, plan, final, outcomes, deps.now());
  const done = outcomes.filter((o) => o.ok).map((o) => describeStep(o.step, true));
  const parts = [done.length > 0 ? `VIP ${vip.address} ${done.join(', ')}` : describeHolders(vip, final)];
  if (record.problem) parts.push(`VIP problem: ${record.problem}`);
  return { summary: parts.join('; '), record };
}

/** The record kept in state: who holds it now, and what is still wrong. */
function recordOf(
  vip: VipConfig,
  plan: VipPlan,
  final: VipHolding[],
  outcomes: VipStepOutcome[],
  at: number,
): VipRecord {
  const holders = final.filter((h) => h.kind === 'held').map((h) => h.host);
  const problems = plan.problem ? [plan.problem] : [];
  for (const o of outcomes.filter((x) => !x.ok))
    problems.push(`${describeStep(o.step, false)} failed: ${o.reason}`);
  if (plan.acting) {
    const stray = holders.filter((h) => h !== plan.expectedHost);
    if (stray.length > 0) problems.push(`still held by ${stray.join(', ')}`);
    const active = final.find((h) => h.host === plan.expectedHost);
    if (plan.expectedHost !== null && active?.kind === 'absent')
      problems.push(`missing on active host ${plan.expectedHost}`);
  }
  return {
    address: vip.address,
    holders,
    unknown: final.filter((h) => h.kind === 'unknown').map((h) => ({ host: h.host, reason: h.reason ?? '' })),
    expectedHost: plan.expectedHost,
    problem: problems.length > 0 ? [...new Set(problems)].join('; ') : null,
    at,
  };
}

/** 'add VIP on B (eth0)' / 'added on B'. */
function describeStep(step: VipStep, past: boolean): string {
  if (step.type === 'vip-add')
    return past ? `added on ${step.host}` : `add VIP on ${step.host} (${step.device})`;
  return past ? `removed from ${step.host}` : `remove VIP from ${step.host} (${step.device})`;
}

/** 'VIP 10.0.0.50 on B' / 'VIP 10.0.0.50 nowhere'. */
function describeHolders(vip: VipConfig, holdings: VipHolding[]): string {
  const holders = holdings.filter((h) => h.kind === 'held').map((h) => h.host);
  return `VIP ${vip.address} ${holders.length > 0 ? `on ${holders.join(', ')}` : 'nowhere'}`;
}

/** The journal line of one VIP step. */
function journalEntry(
  process: ProcessConfig,
  vip: VipConfig,
  outcome: VipStepOutcome,
  deps: VipDeps,
): JournalEntry {
  return {
    at: deps.now(),
    process: process.name,
    event: outcome.step.type,
    host: outcome.step.host,
    command: outcome.command,
    exitCode: outcome.exitCode,
    durationMs: outcome.durationMs,
    ok: outcome.ok,
    reason: `${vip.cidr}: ${outcome.step.reason} → ${outcome.reason}`,
    ...(deps.epoch ? { epoch: deps.epoch } : {}),
  };
}
