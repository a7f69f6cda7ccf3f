/** Capped exponential back-off between failed starts on one host. */
import type { ProcessConfig } from '../config/model.js';

/** Delay before the next start on a host after its `failedStarts`-th consecutive failure. */
export function backoffDelay(process: ProcessConfig, failedStarts: number): number {
  if (failedStarts <= 0) return 0;
  const delay = process.backoffInitialMs * 2 ** Math.min(failedStarts - 1, 30);
  return Math.min(delay, process.backoffMaxMs);
}
