/**
 * One side of the soak: the hosts one supervisor keeps the service on (loopback addresses, one
 * port), the side's directory (host script, fault files, the demo service's PID files), and over
 * SSH one test sshd per host, all on one port, sharing one client key and one known_hosts file.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../test/helpers/demo-env.js';
import { repoRoot } from '../../test/helpers/paths.js';
import { findFreePort, startTestSshd, type TestSshd } from '../../test/helpers/sshd.js';

export type Transport = 'local' | 'ssh';

export const DEMO_SERVICE = path.join(repoRoot, 'config', 'demo', 'demo-service.mjs');
const HOST_SCRIPT = path.join(repoRoot, 'bench', 'fault-soak', 'host.sh');

export interface SshAccess {
  port: number;
  user: string;
  keyFile: string;
  knownHostsFile: string;
}

export interface Side {
  name: string;
  dir: string;
  hosts: string[];
  port: number;
  /** The side's copy of host.sh: `bash SCRIPT VERB HOST PORT RANK`. */
  script: string;
  /** One test sshd per host (same order as hosts), over SSH only. */
  sshds: TestSshd[];
  ssh: SshAccess | null;
}

/** Creates the side's directory and, over SSH, its sshds. */
export async function createSide(
  root: string,
  name: string,
  hosts: string[],
  transport: Transport,
): Promise<Side> {
  const dir = path.join(root, name);
  for (const host of hosts) mkdirSync(path.join(dir, 'faults', host), { recursive: true });
  mkdirSync(path.join(dir, 'demo'), { recursive: true });
  const script = path.join(dir, 'host.sh');
  copyFileSync(HOST_SCRIPT, script);
  writeFileSync(path.join(dir, 'env.sh'), `NODE='${process.execPath}'\nDEMO='${DEMO_SERVICE}'\n`);
  const side: Side = { name, dir, hosts, port: await freePort(), script, sshds: [], ssh: null };
  if (transport === 'ssh') await startSshds(side);
  return side;
}

/** Starts one sshd per host on a common port; one client key and one known_hosts for all. */
async function startSshds(side: Side): Promise<void> {
  const port = await findFreePort(side.hosts[0]!);
  for (const host of side.hosts) side.sshds.push(await startTestSshd({ addresses: [host], port }));
  const first = side.sshds[0]!;
  const clientKey = readFileSync(`${first.clientKeyFile}.pub`, 'utf8');
  for (const sshd of side.sshds) writeFileSync(path.join(sshd.dir, 'authorized_keys'), clientKey);
  const knownHostsFile = path.join(side.dir, 'known_hosts');
  writeFileSync(knownHostsFile, side.sshds.map((s) => readFileSync(s.knownHostsFile, 'utf8')).join(''));
  side.ssh = { port, user: first.user, keyFile: first.clientKeyFile, knownHostsFile };
}

/** The fault file for `kind` on `host` (one per fault: KIND.ID). */
export function faultFile(side: Side, host: string, kind: string, id: number): string {
  return path.join(side.dir, 'faults', host, `${kind}.${id}`);
}

/** The 1-based preference rank of `host` on this side. */
export function rankOf(side: Side, host: string): number {
  return side.hosts.indexOf(host) + 1;
}
