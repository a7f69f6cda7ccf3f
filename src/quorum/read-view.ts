/** Reads the peers' published observations through the coordinator and builds the merged view. */
import type { ProcessConfig } from '../config/model.js';
import type { Coordinator } from '../coord/coordinator.js';
import { resolveMaxAgeMs } from '../config/check-quorum-timing.js';
import { slowestProbeMs } from '../probe/probe-duration.js';
import { buildMergedView, type MergedView } from './merged-view.js';

/** What the cycle needs to build a view. */
export interface QuorumSettings {
  /** `quorum = N`, or null for a majority of the live watchers. */
  quorum: number | null;
  maxAgeMs: number;
  /** How far ahead of this watcher's clock a peer's record may be dated (one interval). */
  futureToleranceMs: number;
}

/** The quorum settings of a config, given the interval the watcher runs at and its processes. */
export function quorumSettings(
  global: { quorum?: number; observationMaxAgeMs?: number },
  intervalMs: number,
  processes: ProcessConfig[] = [],
): QuorumSettings {
  return {
    quorum: global.quorum ?? null,
    maxAgeMs: resolveMaxAgeMs(global.observationMaxAgeMs, intervalMs, slowestProbeMs(processes)),
    futureToleranceMs: intervalMs,
  };
}

/**
 * The merged view of `process`, or undefined with local coordination (one watcher is
 * the quorum). A store that cannot be read throws CoordinationError: no view, no action.
 */
export async function readMergedView(
  coordinator: Coordinator,
  process: string,
  settings: QuorumSettings,
  now: number,
): Promise<MergedView | undefined> {
  if (coordinator.backend !== 'etcd') return undefined;
  const published = await coordinator.peerObservations(process);
  return buildMergedView({ ownId: coordinator.watcherId, published, now, ...settings });
}
