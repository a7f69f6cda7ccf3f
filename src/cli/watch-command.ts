/** The body of `watch`: start the watcher, wire reporting, handle SIGTERM/SIGINT/SIGHUP. */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfigFromOptions, readConfigFile } from '../config/load-config.js';
import { tryParseDuration, DURATION_FORM } from '../config/duration.js';
import { UsageError } from '../errors.js';
import { hashConfigText } from '../report/watcher-health.js';
import { createWatchReporting, type WatchReporting } from '../report/watch-reporting.js';
import { checkListenPolicy, parseListenAddress, type StatusServer } from '../report/http-server.js';
import { readTokenFile } from '../report/http-token.js';
import { openStateLayout, resolveStateDir } from '../state/state-dir.js';
import { Watcher } from '../watch/watcher.js';
import { logChecks } from '../runtime/cycle-deps.js';
import { checkTrust, logConfigWarnings, openRuntime, type Runtime } from '../runtime/runtime.js';
import type { TrustedPath } from '../trust/trusted-paths.js';
import type { GlobalOptions } from './options.js';

/** The --interval value in ms; a bare number is seconds. */
function parseInterval(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = tryParseDuration(text);
  if (ms === null || ms <= 0)
    throw new UsageError(`--interval expects ${DURATION_FORM} greater than 0, got '${text}'`);
  return ms;
}

/** The token file as a trusted path: whoever can change it decides who reads the endpoint. */
function tokenFileTrust(options: WatchOptions): TrustedPath[] {
  if (options.httpTokenFile === undefined) return [];
  if (!options.http) throw new UsageError('--http-token-file needs --http ADDR');
  return [
    {
      path: path.resolve(options.httpTokenFile),
      role: 'secret',
      label: '--http-token-file',
      where: { line: 0 },
    },
  ];
}

/** Reads the config again for SIGHUP (trust-checked again); keeps the coordinator of the running watcher. */
async function reloadRuntime(
  current: Runtime,
  options: GlobalOptions,
  extra: TrustedPath[],
): Promise<{ runtime: Runtime; hash: string }> {
  const config = await loadConfigFromOptions(options);
  logConfigWarnings(config, current.logger);
  checkTrust(config, options, current.logger, extra);
  if (JSON.stringify(config.global.coordination) !== JSON.stringify(current.config.global.coordination)) {
    current.logger.warn('coordination settings changed: they take effect when the watcher restarts');
  }
  const layout = await openStateLayout(resolveStateDir(current.config.global.stateDir), current.config.file);
  const hash = hashConfigText(await readConfigFile(config.file));
  return {
    runtime: {
      ...current,
      config: { ...config, global: { ...config.global, coordination: current.config.global.coordination } },
      layout,
    },
    hash,
  };
}

/** The options of `ha-valet watch` (registered in commands/watch.ts). */
export interface WatchOptions {
  process?: string[];
  interval?: string;
  http?: string;
  httpAllowRemote?: boolean;
  httpTokenFile?: string;
  metricsFile?: string;
}

/** Runs until a stop signal; resolves with the exit code. */
export async function runWatchCommand(command: Command, options: WatchOptions): Promise<number> {
  const intervalMs = parseInterval(options.interval);
  const trustExtra = tokenFileTrust(options);
  const token = options.httpTokenFile !== undefined ? readTokenFile(options.httpTokenFile) : undefined;
  const listen = options.http ? parseListenAddress(options.http) : null;
  const allowNonLoopback = options.httpAllowRemote === true;
  if (listen) checkListenPolicy(listen.host, { token, allowNonLoopback }); // before anything starts
  const runtime = await openRuntime(command, undefined, trustExtra);
  const { logger } = runtime;
  const hash = hashConfigText(await readConfigFile(runtime.config.file));
  let reporting: WatchReporting | null = null;
  const checkLog = logChecks(logger);
  const writeMetrics = (): void => {
    if (reporting && options.metricsFile) {
      reporting
        .writeMetricsFile(options.metricsFile)
        .catch((error: Error) => logger.warn(`metrics file: ${error.message}`));
    }
  };
  const watcher = new Watcher(
    runtime,
    {
      names: options.process,
      intervalMs,
      onCheck: (process, candidate, observation) => {
        checkLog(process, candidate, observation);
        reporting?.onCheck(process, candidate, observation);
      },
      onCycle: writeMetrics,
      onJobRun: writeMetrics,
    },
    hash,
  );
  if (options.http || options.metricsFile) {
    reporting = createWatchReporting({
      config: () => watcher.config,
      states: () => watcher.reportStates(),
      jobStates: () => watcher.jobStates,
      lastPassAt: () => watcher.lastCycleAt,
      scheduleLag: () => watcher.lag.summary(),
      checksDone: () => watcher.checksDone,
      coordination: () => runtime.coordinator.health(),
      journal: runtime.coordinator.journal,
      warn: (message) => logger.warn(message),
    });
  }
  await watcher.start();
  let server: StatusServer | null = null;
  try {
    if (listen) {
      server = await reporting!.serve({
        ...listen,
        allowNonLoopback,
        ...(token !== undefined ? { token } : {}),
      });
    }
  } catch (error) {
    await watcher.stop(); // e.g. the port is taken: do not keep running without the endpoint asked for
    throw error;
  }
  return new Promise<number>((resolve) => {
    let reloading = Promise.resolve();
    const onHup = (): void => {
      reloading = reloading.then(async () => {
        logger.info('SIGHUP: reloading the config');
        try {
          const next = await reloadRuntime(runtime, command.optsWithGlobals<GlobalOptions>(), trustExtra);
          await watcher.reload(next.runtime, next.hash);
        } catch (error) {
          logger.error(`config reload rejected, keeping the running config:\n${(error as Error).message}`);
        }
      });
    };
    const onStop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onHup);
      logger.info(`${signal}: finishing the actions in progress, then stopping`);
      void (async () => {
        await reloading;
        await watcher.stop();
        await server?.close();
        logger.info('stopped');
        resolve(0);
      })();
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
  });
}
