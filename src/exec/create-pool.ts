/**
 * The executor pool a pass uses: local executors for `transport = local`, the
 * pooled SSH executor for `transport = ssh`. The SSH code (node-ssh) is imported
 * only when a selected process uses it, so a local cron pass starts fast.
 */
import type { SshSettings } from '../config/model.js';
import type { ExecOwner, ExecTarget, Executor, ExecutorPool } from './executor.js';
import { LocalExecutor, setSpawnLog } from './local-executor.js';

/** The part of the SSH pool this module needs (src/exec/ssh-pool.ts). */
interface SshPoolLike {
  forHost(settings: SshSettings, host: string): Executor;
  closeAll(): Promise<void>;
}

export interface PoolOptions {
  warn?(message: string): void;
  /** Debug lines (which spawn helper runs local commands, once). */
  debug?(message: string): void;
}

/** Builds a pool for `processes`, loading SSH support only if one of them needs it. */
export async function createExecutorPool(
  processes: Array<ExecOwner & { candidates: ExecTarget[] }>,
  options: PoolOptions = {},
): Promise<ExecutorPool> {
  if (options.debug) setSpawnLog(options.debug);
  const needsSsh = processes.some((process) => process.candidates.some((c) => c.transport === 'ssh'));
  let ssh: SshPoolLike | null = null;
  if (needsSsh) {
    const { SshExecutorPool } = await import('./ssh-pool.js');
    ssh = new SshExecutorPool({ warn: options.warn });
  }
  const local = new Map<string, LocalExecutor>();
  return {
    forCandidate(process: ExecOwner, candidate: ExecTarget): Executor {
      if (candidate.transport === 'ssh') {
        if (!ssh) throw new Error(`SSH pool not loaded for ${process.name}@${candidate.host}`);
        return ssh.forHost(process.ssh, candidate.host);
      }
      let executor = local.get(candidate.host);
      if (!executor) {
        executor = new LocalExecutor(candidate.host);
        local.set(candidate.host, executor);
      }
      return executor;
    },
    async closeAll(): Promise<void> {
      await ssh?.closeAll();
    },
  };
}
