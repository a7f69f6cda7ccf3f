/**
 * The service the namespace tests move around: a name server per host (it answers
 * each connection with the host's address), its ha-valet section, and running
 * ha-valet inside the lab's first client namespace.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixture } from './paths.js';
import { runCliProcess, type CliResult } from './run-cli.js';
import type { Lab, LabNode } from './vip-lab.js';

export const SERVICE_PORT = 7000;

/** The lines that make a section run over SSH on the lab's servers (root, the lab's key and known_hosts). */
export function labSshLines(lab: Lab): string[] {
  const hosts = lab.servers.map((s) => s.address);
  return [
    `host = ${hosts[0]}`,
    `stand_by_list = ${hosts.join(',')}`,
    'transport = ssh',
    'ssh_user = root',
    `ssh_key = ${lab.clientKeyFile}`,
    `ssh_known_hosts = ${lab.knownHostsFile}`,
    'connect_timeout = 2s',
    'test_timeout = 4s',
  ];
}

/**
 * Writes ha_valet.cfg with one SSH section `Db` over the lab's servers, plus `extra` lines (which
 * win) and `sections` (whole sections, appended); returns its path.
 */
export function writeServiceConfig(lab: Lab, extra: string[], sections: string[] = []): string {
  const hosts = lab.servers.map((s) => s.address);
  const pid = path.join(lab.dir, '%(host)s.pid');
  const broken = path.join(lab.dir, '%(host)s.broken');
  const server = `${process.execPath} ${fixture('services', 'name-server.mjs')} %(host)s ${SERVICE_PORT}`;
  const file = path.join(lab.dir, 'ha_valet.cfg');
  const overridden = new Set(extra.map((line) => line.split('=')[0]!.trim()));
  const keep = (line: string): boolean => !overridden.has(line.split('=')[0]!.trim());
  writeFileSync(
    file,
    [
      '[DEFAULT]',
      `state_dir = ${path.join(lab.dir, 'state')}`,
      '',
      '[Db]',
      ...labSshLines(lab),
      'start_timeout = 10s',
      'min_uptime = 0s',
      `start = if [ -e ${broken} ]; then exit 1; fi; nohup ${server} >/dev/null 2>&1 </dev/null & echo $! > ${pid}`,
      `stop = kill $(cat ${pid} 2>/dev/null) 2>/dev/null; rm -f ${pid}; true`,
      `test = bash -c 'exec 3<>/dev/tcp/127.0.0.1/${SERVICE_PORT}' 2>/dev/null && exit 1 || exit 0`,
    ]
      .filter(keep)
      .concat(extra, '', ...sections)
      .join('\n'),
  );
  for (const host of hosts) lab.trackPidFile(path.join(lab.dir, `${host}.pid`));
  return file;
}

/** Runs `ha-valet -c CONFIG ARGS…` inside the lab's first client namespace. */
export function runHaValetInLab(lab: Lab, configFile: string, args: string[]): Promise<CliResult> {
  return runCliProcess(['-c', configFile, ...args], { netns: lab.clients[0]!.netns, timeoutMs: 90_000 });
}

/** Kills the service on a server, as a crash would; `broken` also makes its restarts there fail. */
export function killService(lab: Lab, server: LabNode, broken: boolean): void {
  const marker = path.join(lab.dir, `${server.address}.broken`);
  if (broken) writeFileSync(marker, '');
  else rmSync(marker, { force: true });
  const pid = Number(readFileSync(path.join(lab.dir, `${server.address}.pid`), 'utf8').trim());
  process.kill(pid, 'SIGKILL');
}

/** Lets a server start the service again. */
export function mendService(lab: Lab, server: LabNode): void {
  rmSync(path.join(lab.dir, `${server.address}.broken`), { force: true });
}
