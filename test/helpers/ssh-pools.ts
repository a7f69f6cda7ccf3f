/** Fresh SSH executor pools for a test file, all closed at its end. */
import { SshExecutorPool } from '../../src/exec/ssh-pool.js';

export interface PoolMaker {
  /** A fresh pool (fresh connections) whose warnings go to WARNINGS. */
  newPool(warnings?: string[]): SshExecutorPool;
  /** Closes every pool made so far. */
  closeAll(): Promise<void>;
}

export function poolMaker(): PoolMaker {
  const pools: SshExecutorPool[] = [];
  return {
    newPool(warnings = []) {
      const pool = new SshExecutorPool({ warn: (m) => warnings.push(m) });
      pools.push(pool);
      return pool;
    },
    async closeAll() {
      await Promise.all(pools.splice(0).map((p) => p.closeAll()));
    },
  };
}
