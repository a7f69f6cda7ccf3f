/** Small helpers of the etcd backend: per-member reachability and call time limits. */
import type { EtcdSettings } from '../config/model.js';
import { createEtcdClient } from './etcd-client.js';
import { CoordinationError } from './coordinator.js';

const PROBE_DEADLINE_MS = 1000;

/** Asks every endpoint for its status, each with its own short-lived client. */
export async function probeMembers(
  settings: EtcdSettings,
): Promise<Array<{ endpoint: string; reachable: boolean }>> {
  return Promise.all(
    settings.endpoints.map(async (endpoint) => {
      const client = createEtcdClient(settings, {
        endpoints: [endpoint],
        deadlineMs: PROBE_DEADLINE_MS,
        noRetry: true,
      });
      try {
        await withTimeout(client.maintenance.status(), PROBE_DEADLINE_MS + 500, `status of ${endpoint}`);
        return { endpoint, reachable: true };
      } catch {
        return { endpoint, reachable: false };
      } finally {
        client.close();
      }
    }),
  );
}

/** `promise`, or CoordinationError when it takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CoordinationError(`coordination lost: ${what} timed out after ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
