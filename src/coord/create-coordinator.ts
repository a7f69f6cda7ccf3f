/** Builds the coordinator the config asks for (`coordination = local | etcd`). */
import type { Config } from '../config/model.js';
import { openStateLayout, resolveStateDir } from '../state/state-dir.js';
import type { Coordinator } from './coordinator.js';

export interface CreateCoordinatorOptions {
  /** Default hostname:pid. */
  watcherId?: string;
  warn?(message: string): void;
}

/** A LocalCoordinator on the config's state directory, or an EtcdCoordinator on its endpoints. */
export async function createCoordinator(
  config: Config,
  options: CreateCoordinatorOptions = {},
): Promise<Coordinator> {
  const coordination = config.global.coordination;
  if (coordination.backend === 'etcd') {
    const { EtcdCoordinator } = await import('./etcd-coordinator.js');
    return new EtcdCoordinator(coordination.etcd, options);
  }
  const { LocalCoordinator } = await import('./local-coordinator.js');
  const layout = await openStateLayout(resolveStateDir(config.global.stateDir), config.file);
  return new LocalCoordinator(layout, options);
}
