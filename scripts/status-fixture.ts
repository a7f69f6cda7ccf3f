/**
 * A state dir as a watcher leaves it: COUNT processes, each up on Host_A with
 * Host_B and Host_C as stand-bys, their last observations and a fresh
 * heartbeat. Used by the status bench and to warm the bundle's code cache.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { writeHeartbeat } from '../src/state/heartbeat.js';
import { emptyProcessState } from '../src/state/model.js';
import { openStateLayout } from '../src/state/state-dir.js';
import { FileStateStore } from '../src/state/state-store.js';
import { hashConfigText } from '../src/report/watcher-health.js';

/** Writes ha_valet.cfg and its state into DIR; returns the config's path. */
export async function writeStatusFixture(
  dir: string,
  count: number,
  heartbeatPid = process.pid,
): Promise<string> {
  const configPath = await writeConfig(dir, count);
  await writeState(configPath, heartbeatPid);
  return configPath;
}

/** Writes a config of `count` sections, each on Host_A with Host_B and Host_C as stand-bys. */
async function writeConfig(dir: string, count: number): Promise<string> {
  const lines = ['[DEFAULT]', `state_dir = ${path.join(dir, 'state')}`, 'transport = local', ''];
  for (let i = 1; i <= count; i++) {
    const name = `svc${String(i).padStart(3, '0')}`;
    lines.push(
      `[${name}]`,
      'host = Host_A',
      'stand_by_list = Host_A,Host_B,Host_C',
      `start = "start-${name}"`,
    );
    lines.push(`stop = "stop-${name}"`, `test = "test-${name}"`, '');
  }
  const file = path.join(dir, 'ha_valet.cfg');
  await writeFile(file, lines.join('\n'));
  return file;
}

/** Fills the state dir as a watcher would after a pass, plus a fresh heartbeat. */
async function writeState(configPath: string, heartbeatPid: number): Promise<void> {
  const config = await loadConfig(configPath, {});
  const layout = await openStateLayout(path.join(path.dirname(configPath), 'state'), configPath);
  const store = new FileStateStore(layout.dir);
  const now = Date.now();
  for (const proc of config.processes) {
    const state = emptyProcessState();
    state.status = 'up';
    state.activeHost = 'Host_A';
    state.startTimes = [now - 60_000];
    state.lastAction = { type: 'start', host: 'Host_A', ok: true, reason: 'was down', at: now - 60_000 };
    for (const [i, host] of ['Host_A', 'Host_B', 'Host_C'].entries()) {
      const up = i === 0;
      state.hosts[host] = {
        lastObservation: {
          host,
          kind: up ? 'up' : 'down',
          ...(up ? { priority: 1 } : {}),
          exitCode: up ? 1 : 0,
          at: now - 2000,
          durationMs: 8,
        },
        badChecks: 0,
        failedStarts: 0,
        retryAfter: null,
        upSince: up ? now - 60_000 : null,
        reachableSince: now - 60_000,
        earlyDeaths: 0,
        lastUpAt: null,
        lastFailure: null,
      };
    }
    await store.save(proc.name, state);
  }
  await writeFreshHeartbeat(configPath, heartbeatPid);
}

/** Writes the watcher heartbeat of the fixture at CONFIG_PATH as of now (a bench refreshes it each round). */
export async function writeFreshHeartbeat(configPath: string, heartbeatPid = process.pid): Promise<void> {
  const layout = await openStateLayout(path.join(path.dirname(configPath), 'state'), configPath);
  const now = Date.now();
  await writeHeartbeat(layout.heartbeatPath, {
    pid: heartbeatPid,
    startedAt: now - 60_000,
    configPath,
    configHash: hashConfigText(await readFile(configPath)),
    at: now,
  });
}
