/** Builds the context act/ and the pass runner need from a runtime. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutorPool } from '../exec/executor.js';
import { LocalExecutor } from '../exec/local-executor.js';
import type { Logger } from '../log/logger.js';
import type { CycleDeps } from '../pass/process-cycle.js';
import type { CheckListener } from '../probe/probe.js';
import type { ChangeAwareStateStore } from '../state/change-aware-store.js';
import type { JournalEntry } from '../state/model.js';
import { quorumSettings } from '../quorum/read-view.js';
import type { Runtime } from './runtime.js';

/** Logs every test with host, command, exit code and duration (debug level). */
export function logChecks(logger: Logger): CheckListener {
  return (process, candidate, observation) =>
    logger.debug(`test ${process.name}@${candidate.host}: ${observation.kind}`, {
      process: process.name,
      host: candidate.host,
      command: candidate.commands.test,
      exitCode: observation.exitCode,
      durationMs: observation.durationMs,
      ...(observation.reason ? { reason: observation.reason } : {}),
    });
}

/** Quorum settings per config and interval: computed once, not per cycle (they scan every process). */
const settingsOf = new WeakMap<Runtime['config'], Map<number, ReturnType<typeof quorumSettings>>>();

function cachedQuorumSettings(
  config: Runtime['config'],
  intervalMs: number,
): ReturnType<typeof quorumSettings> {
  let byInterval = settingsOf.get(config);
  if (!byInterval) settingsOf.set(config, (byInterval = new Map()));
  let settings = byInterval.get(intervalMs);
  if (!settings) {
    settings = quorumSettings(config.global, intervalMs, config.processes);
    byInterval.set(intervalMs, settings);
  }
  return settings;
}

/** Cycle dependencies over the coordinator of `runtime`. */
export function createCycleDeps(
  runtime: Runtime,
  pool: ExecutorPool,
  options: {
    dryRun: boolean;
    mayAct?: () => boolean;
    mayStartAction?: () => boolean;
    epoch?: string;
    onCheck?: CheckListener;
    stateStore?: ChangeAwareStateStore;
    /** The interval the watcher runs at (default: the config's), for observation_max_age's default. */
    intervalMs?: number;
    /** Ask whether the process is steady after the cycle (watched checks). */
    wantSteady?: boolean;
  },
): CycleDeps {
  const { logger, coordinator } = runtime;
  return {
    pool,
    coordinator,
    hookExecutor: new LocalExecutor('localhost'),
    logger,
    now: Date.now,
    sleep: (ms: number) => sleep(ms),
    mayAct: options.mayAct ?? (() => true),
    mayStartAction: options.mayStartAction,
    dryRun: options.dryRun,
    epoch: options.epoch,
    recordJournal: async (entries: JournalEntry[]) => {
      for (const entry of entries) await coordinator.journal.append(entry);
    },
    onCheck: options.onCheck ?? logChecks(logger),
    ...(options.stateStore ? { stateStore: options.stateStore } : {}),
    ...(options.wantSteady ? { wantSteady: true } : {}),
    quorum: cachedQuorumSettings(runtime.config, options.intervalMs ?? runtime.config.global.intervalMs),
  };
}
