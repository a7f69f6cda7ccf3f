/** Asks every candidate host, at once, whether it holds the process's virtual IP. */
import type { ProcessConfig, VipConfig } from '../config/model.js';
import type { ExecutorPool } from '../exec/executor.js';
import { devicesHolding, showCommand } from './vip-commands.js';
import type { VipHolding } from './vip-holding.js';

/**
 * Runs `ip -o addr show to ADDR` on each candidate (or `only` those) and reads who holds
 * the address; hosts in `skip` (known unreachable, with why) are reported unknown unasked.
 */
export async function probeVipHolders(
  process: ProcessConfig,
  vip: VipConfig,
  pool: ExecutorPool,
  options: { only?: string[]; skip?: Record<string, string> } = {},
): Promise<VipHolding[]> {
  const candidates = process.candidates.filter((c) => options.only?.includes(c.host) ?? true);
  return Promise.all(
    candidates.map(async (candidate): Promise<VipHolding> => {
      const skipped = options.skip?.[candidate.host];
      if (skipped !== undefined)
        return { host: candidate.host, kind: 'unknown', devices: [], reason: skipped };
      const executor = pool.forCandidate(process, candidate);
      const result = await executor.run(showCommand(vip), { timeoutMs: process.testTimeoutMs });
      if (result.exitCode !== 0) {
        const why =
          result.transportError ??
          (result.timedOut
            ? `timed out after ${result.durationMs} ms`
            : `ip exited ${result.exitCode ?? result.signal}: ${result.stderr.trim().slice(0, 200)}`);
        return { host: candidate.host, kind: 'unknown', devices: [], reason: why };
      }
      const devices = devicesHolding(vip, result.stdout);
      return { host: candidate.host, kind: devices.length > 0 ? 'held' : 'absent', devices };
    }),
  );
}
