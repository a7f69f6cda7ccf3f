/**
 * `status --full`: every client's hosts file points the name at the host the
 * service is up on now (deadpool's "All client hosts are pointed at the primary").
 */
import type { ProcessConfig } from '../config/model.js';
import type { ExecutorPool } from '../exec/executor.js';
import type { Observation } from '../probe/observation.js';
import { readClientEntries } from './reconcile-hosts.js';

/** A check of `status --full` (the shape of report/full-checks' FullCheck). */
export interface HostsEntryCheck {
  check: 'hosts-entry';
  target: string;
  ok: boolean;
  detail: string;
}

/** One check per client of each process with `hosts_entry`. */
export async function checkHostsEntries(
  processes: ProcessConfig[],
  observations: Map<string, Observation[]>,
  pool: ExecutorPool,
): Promise<HostsEntryCheck[]> {
  const checks = await Promise.all(
    processes.map(async (process): Promise<HostsEntryCheck[]> => {
      const entry = process.hostsEntry;
      if (!entry) return [];
      const up = (observations.get(process.name) ?? []).filter((o) => o.kind === 'up').map((o) => o.host);
      const seen = await readClientEntries({ pool }, process, entry);
      return seen.map(({ host, address, reason }) => {
        const target = `${host}: ${entry.name}`;
        if (address === null)
          return { check: 'hosts-entry', target, ok: false, detail: `cannot read ${entry.file}: ${reason}` };
        const where = address === '' ? `no line in ${entry.file}` : `points at ${address}`;
        if (up.length !== 1)
          return {
            check: 'hosts-entry',
            target,
            ok: false,
            detail: `${where}, but the service is up on ${up.length} hosts`,
          };
        const ok = address === up[0];
        return {
          check: 'hosts-entry',
          target,
          ok,
          detail: ok ? `${where} (active)` : `${where}, active is ${up[0]}`,
        };
      });
    }),
  );
  return checks.flat();
}
