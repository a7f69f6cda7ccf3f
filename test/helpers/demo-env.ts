/**
 * A private copy of the demo world for one test: its own temp dir (PID files,
 * state dir, config) and its own free port, so tests never share services.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.js';

export const DEMO_SERVICE = path.join(repoRoot, 'config', 'demo', 'demo-service.mjs');

/** The default test command template: up (exit {rank}) when the demo server greets, else down. */
export const DEMO_TEST = `bash -c 'exec 3<>/dev/tcp/{host}/{port} && read -t 5 reply <&3 && [ "$reply" = "ok {host}" ]' 2>/dev/null && exit {rank}; exit 0`;

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DemoEnv {
  dir: string;
  configPath: string;
  port: number;
  hosts: string[];
  /** Runs the demo service verb (start/stop) for host synchronously; returns its exit code. */
  service(verb: 'start' | 'stop', host: string): number;
  /** PID of the demo server for host, or null. */
  pidOf(host: string): Promise<number | null>;
  /** True when the server for host answers its greeting. */
  isUp(host: string): Promise<boolean>;
  /** Stops every server this env started and removes the temp dir. */
  cleanup(): Promise<void>;
}

export interface DemoOptions {
  hosts?: string[];
  /** Extra lines for the [Svc] section (e.g. 'test_timeout = 1s'); a function gets the env's dir and port. */
  extra?: string[] | ((dir: string, port: number) => string[]);
  /** Replace the test command template (a function gets the env's temp dir). */
  test?: string | ((dir: string) => string);
  /** Replace the start command template (given the env's temp dir). */
  start?: (dir: string) => string;
  /** Extra lines for [DEFAULT]. */
  defaults?: string[];
}

/** Writes a one-process config `[Svc]` over the demo service on `hosts`. */
export async function createDemoEnv(options: DemoOptions = {}): Promise<DemoEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-demo-test-'));
  const port = await freePort();
  const hosts = options.hosts ?? ['127.0.0.2', '127.0.0.3'];
  const env = `HA_VALET_DEMO_DIR=${dir}`;
  const testCommand = (typeof options.test === 'function' ? options.test(dir) : options.test) ?? DEMO_TEST;
  const lines = [
    '[DEFAULT]',
    `state_dir = ${dir}/state`,
    'test_timeout = 8s',
    'start_timeout = 10s',
    'stop_timeout = 5s',
    'min_uptime = 0s',
    ...(options.defaults ?? []),
    '',
    '[Svc]',
    `host = ${hosts[0]}`,
    `stand_by_list = ${hosts.join(',')}`,
    `port = ${port}`,
    `start = ${options.start?.(dir) ?? `${env} node ${DEMO_SERVICE} start {host} {port}`}`,
    `stop = ${env} node ${DEMO_SERVICE} stop {host} {port}`,
    `test = ${testCommand}`,
    ...(typeof options.extra === 'function' ? options.extra(dir, port) : (options.extra ?? [])),
    '',
  ];
  const configPath = path.join(dir, 'ha_valet.cfg');
  await writeFile(configPath, lines.join('\n'));
  const pidFile = (host: string): string => path.join(dir, `service-${host}-${port}.pid`);
  const demo: DemoEnv = {
    dir,
    configPath,
    port,
    hosts,
    service(verb, host) {
      const result = spawnSync(process.execPath, [DEMO_SERVICE, verb, host, String(port)], {
        env: { ...process.env, HA_VALET_DEMO_DIR: dir },
        stdio: 'ignore',
      });
      return result.status ?? -1;
    },
    async pidOf(host) {
      try {
        return Number((await readFile(pidFile(host), 'utf8')).trim());
      } catch {
        return null;
      }
    },
    isUp(host) {
      return greets(host, port);
    },
    async cleanup() {
      for (const host of hosts) demo.service('stop', host);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return demo;
}

/** True when the demo service on host:port answers with its greeting "ok HOST". */
export function greets(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let data = '';
    socket.setTimeout(timeoutMs, () => (socket.destroy(), resolve(false)));
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(data.trim() === `ok ${host}`));
    socket.on('error', () => resolve(false));
  });
}

/** True while `pid` is alive and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}
