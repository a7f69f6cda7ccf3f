/**
 * deadpool's /etc/hosts protocol on a real network: two server namespaces and
 * two client namespaces, each client an SSH host with a hosts file of its own
 * (a private mount namespace). After a failover the name's line follows the
 * service on every client; a client that cannot be reached is reported, then
 * caught up when it returns; `status --full` checks every client.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { killService, runHaValetInLab, writeServiceConfig } from '../helpers/lab-service.js';
import { createLab, type Lab, type LabNode } from '../helpers/vip-lab.js';

let lab: Lab;
let configFile: string;
let hostsFile: string;

/** Runs ha-valet in the first client namespace. */
function haValet(...args: string[]) {
  return runHaValetInLab(lab, configFile, args);
}

/** A client's hosts file, as that client sees it. */
function hostsOf(client: LabNode): string {
  return lab.readPrivate(client, hostsFile);
}

/** The `status --full --json` checks of the hosts entry, by target. */
async function hostsChecks(): Promise<Record<string, boolean>> {
  const status = await haValet('status', '--full', '--json');
  const report = JSON.parse(status.stdout) as {
    checks: Array<{ check: string; target: string; ok: boolean }>;
  };
  return Object.fromEntries(
    report.checks.filter((c) => c.check === 'hosts-entry').map((c) => [c.target, c.ok]),
  );
}

before(async () => {
  lab = await createLab({ servers: 2, clients: 2, clientSshd: true });
  hostsFile = path.join(lab.privateDir, 'hosts');
  configFile = writeServiceConfig(lab, [
    'hosts_entry = db.internal',
    `hosts_clients = ${lab.clients.map((c) => c.address).join(',')}`,
    `hosts_file = ${hostsFile}`,
  ]);
});

after(() => lab?.dispose());

test('the hosts line follows a failover on every client; an unreachable client is reported, then caught up', async () => {
  const [s1, s2] = lab.servers as [LabNode, LabNode];
  const [c1, c2] = lab.clients as [LabNode, LabNode];
  // Each client has its own file: give c2 more lines that must survive, among them a stale db.internal line.
  const seed = `printf '10.77.0.9\\tother.internal\\n10.77.0.99 db.internal\\n# 10.77.0.98 db.internal\\n' >> ${hostsFile}`;
  const ssh = [
    'ssh',
    '-i',
    lab.clientKeyFile,
    '-o',
    `UserKnownHostsFile=${lab.knownHostsFile}`,
    '-o',
    'BatchMode=yes',
  ];
  lab.exec(c1, [...ssh, `root@${c2.address}`, seed]);
  assert.match(hostsOf(c2), /10\.77\.0\.99 db\.internal/);
  assert.doesNotMatch(hostsOf(c1), /db\.internal/, 'the clients do not share a file');

  const dry = await haValet('run', '--dry-run');
  assert.match(dry.stdout, new RegExp(`would point it at ${s1.address} on ${c1.address}, ${c2.address}`));
  assert.doesNotMatch(hostsOf(c1), /db\.internal/);

  const first = await haValet('run');
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, new RegExp(`db.internal → ${s1.address} on ${c1.address}, ${c2.address}`));
  assert.equal(hostsOf(c1), `127.0.0.1\tlocalhost\n${s1.address}\tdb.internal\n`);
  assert.equal(
    hostsOf(c2),
    `127.0.0.1\tlocalhost\n10.77.0.9\tother.internal\n${s1.address}\tdb.internal\n# 10.77.0.98 db.internal\n`,
    'that one line is rewritten in place; other lines and comments stay',
  );
  assert.deepEqual(await hostsChecks(), {
    [`${c1.address}: db.internal`]: true,
    [`${c2.address}: db.internal`]: true,
  });

  // c2 is cut off, then the service fails over: c1 follows, c2 is reported, not skipped silently.
  lab.setLink(c2, false);
  killService(lab, s1, true);
  const failover = await haValet('run');
  assert.match(failover.stdout, new RegExp(`db.internal → ${s2.address} on ${c1.address}`));
  assert.match(
    failover.stdout,
    new RegExp(`db.internal not updated on ${c2.address.replace(/\./g, '\\.')} \\(`),
  );
  assert.match(hostsOf(c1), new RegExp(`^${s2.address}\tdb\\.internal$`, 'm'));
  assert.match(
    hostsOf(c2),
    new RegExp(`^${s1.address}\tdb\\.internal$`, 'm'),
    'c2 still points at the old host',
  );
  const status = await haValet('status', '--json', '--no-probe');
  const report = JSON.parse(status.stdout) as {
    processes: Array<{ severity: string; summary: string; hostsEntry: { failed: Array<{ host: string }> } }>;
  };
  assert.deepEqual(
    report.processes[0]!.hostsEntry.failed.map((f) => f.host),
    [c2.address],
  );
  assert.equal(report.processes[0]!.severity, 'warning');
  const cutChecks = await hostsChecks();
  assert.equal(cutChecks[`${c1.address}: db.internal`], true);
  assert.equal(cutChecks[`${c2.address}: db.internal`], false);

  // c2 returns: the next pass catches it up, and every check passes.
  lab.setLink(c2, true);
  const back = await haValet('run');
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.match(back.stdout, new RegExp(`db.internal → ${s2.address} on ${c2.address}`));
  assert.match(hostsOf(c2), new RegExp(`^${s2.address}\tdb\\.internal$`, 'm'));
  assert.deepEqual(await hostsChecks(), {
    [`${c1.address}: db.internal`]: true,
    [`${c2.address}: db.internal`]: true,
  });

  const settled = await haValet('run');
  assert.doesNotMatch(settled.stdout, /db\.internal →/, 'a settled world rewrites nothing');
});
