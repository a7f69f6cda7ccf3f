/**
 * How long one probe of a process can take: its `test_timeout`, plus, over
 * SSH, the wait for a timed-out command's channel to close after the remote
 * kill (on a dead link the whole wait). A watcher publishes its view when its
 * probe ends, so a view is that late while a host hangs (issue 12).
 */
import type { ProcessConfig } from '../config/model.js';
import { CLOSE_WAIT_AFTER_KILL_MS } from '../exec/ssh-run.js';

/** The longest one probe of `process` can take (ms). */
export function longestProbeMs(process: ProcessConfig): number {
  return process.testTimeoutMs + (process.transport === 'ssh' ? CLOSE_WAIT_AFTER_KILL_MS : 0);
}

/** The longest probe of any of `processes` (0 when there are none). */
export function slowestProbeMs(processes: ProcessConfig[]): number {
  return Math.max(0, ...processes.map(longestProbeMs));
}
