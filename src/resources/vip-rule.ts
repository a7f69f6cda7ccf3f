/**
 * The VIP rule, pure: given where the service runs (the pass's final status and
 * active host) and which candidates hold the address, which adds and removes
 * make the address live exactly where the service does. No I/O, no clock.
 */
import type { ProcessStatus } from '../state/model.js';
import type { VipHolding } from './vip-holding.js';

export type VipStep =
  | { type: 'vip-remove'; host: string; device: string; reason: string }
  | { type: 'vip-add'; host: string; device: string; reason: string };

export interface VipPlan {
  /** Removes first (no two hosts answer ARP for the address), then the add. */
  steps: VipStep[];
  /** Where the address belongs, or null (nobody, or not ha-valet's to move now). */
  expectedHost: string | null;
  /** False in states where ha-valet does not act (maintenance, latched, given-up, waiting…). */
  acting: boolean;
  /** What cannot be mended now (a holder that could not be checked), or null. */
  problem: string | null;
}

/** Statuses where the address follows the active host, and where it is taken away from everyone. */
const FOLLOWS_ACTIVE: readonly ProcessStatus[] = ['up', 'split-brain'];
const NOBODY: readonly ProcessStatus[] = ['failed'];

/** Plans the VIP for one process. `interfaces` gives the device to add the address on per host. */
export function planVip(
  status: ProcessStatus,
  activeHost: string | null,
  holdings: VipHolding[],
  interfaces: Record<string, string>,
): VipPlan {
  const follows = FOLLOWS_ACTIVE.includes(status) && activeHost !== null;
  if (!follows && !NOBODY.includes(status)) {
    return { steps: [], expectedHost: null, acting: false, problem: null };
  }
  const expectedHost = follows ? activeHost : null;
  const steps: VipStep[] = [];
  for (const holding of holdings) {
    if (holding.kind !== 'held' || holding.host === expectedHost) continue;
    const reason =
      expectedHost === null
        ? `service is ${status}: no host should hold the address`
        : `held by ${holding.host}, which is not active (active: ${expectedHost})`;
    for (const device of holding.devices)
      steps.push({ type: 'vip-remove', host: holding.host, device, reason });
  }
  const unknown = holdings.filter((h) => h.kind === 'unknown' && h.host !== expectedHost);
  const problems = unknown.map((h) => `${h.host} could not be checked (${h.reason ?? 'unknown'})`);
  const active = holdings.find((h) => h.host === expectedHost);
  if (expectedHost !== null && active?.kind === 'absent') {
    const device = interfaces[expectedHost];
    if (device !== undefined)
      steps.push({ type: 'vip-add', host: expectedHost, device, reason: `service is up on ${expectedHost}` });
  } else if (expectedHost !== null && active?.kind !== 'held') {
    problems.unshift(`active host ${expectedHost} could not be checked (${active?.reason ?? 'not probed'})`);
  }
  return { steps, expectedHost, acting: true, problem: problems.length > 0 ? problems.join('; ') : null };
}
