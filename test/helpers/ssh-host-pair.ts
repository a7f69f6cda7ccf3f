/**
 * Two SSH "hosts", each its own sshd on its own loopback address and the same
 * port, with one login key and one known_hosts for both, as an operator has.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestSshd, type TestSshd } from './sshd.js';

export interface SshHostPair {
  hostA: TestSshd;
  hostB: TestSshd;
  /** [DEFAULT] lines: transport = ssh with the shared port, user, key and known_hosts. */
  defaults: string[];
  dispose(): Promise<void>;
}

export async function startSshHostPair(addressA = '127.0.0.2', addressB = '127.0.0.3'): Promise<SshHostPair> {
  const hostA = await startTestSshd({ addresses: [addressA] });
  const hostB = await startTestSshd({ addresses: [addressB], port: hostA.port });
  appendFileSync(path.join(hostB.dir, 'authorized_keys'), readFileSync(`${hostA.clientKeyFile}.pub`));
  const knownHosts = path.join(hostA.dir, 'known_hosts.both');
  writeFileSync(
    knownHosts,
    readFileSync(hostA.knownHostsFile, 'utf8') + readFileSync(hostB.knownHostsFile, 'utf8'),
  );
  return {
    hostA,
    hostB,
    defaults: [
      'transport = ssh',
      `ssh_port = ${hostA.port}`,
      `ssh_user = ${hostA.user}`,
      `ssh_key = ${hostA.clientKeyFile}`,
      `ssh_known_hosts = ${knownHosts}`,
      'connect_timeout = 3s',
    ],
    async dispose() {
      await hostA.dispose();
      await hostB.dispose();
    },
  };
}
