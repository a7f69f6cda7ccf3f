/**
 * The VIP on a real network: three server namespaces (each an SSH host) and a
 * client namespace on one bridge. ha-valet runs in the client namespace and
 * reaches the servers over SSH; the client connects to the VIP and reads the
 * name of the instance that answered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { killService, mendService, runHaValetInLab, writeServiceConfig } from '../helpers/lab-service.js';
import { clientReaches, vipHolders } from '../helpers/vip-client.js';
import { createLab, LAB_SUBNET, type Lab, type LabNode } from '../helpers/vip-lab.js';

const VIP = `${LAB_SUBNET}.50`;
let lab: Lab;
let configFile: string;

/** Runs ha-valet in the client namespace. */
function haValet(...args: string[]) {
  return runHaValetInLab(lab, configFile, args);
}

/** The servers that hold the VIP, by name. */
const holders = () => vipHolders(lab, VIP);

/** The MAC the client's neighbour table has for the VIP, or null. */
function clientArpFor(): string | null {
  const out = lab.exec(lab.clients[0]!, ['ip', 'neigh', 'show', VIP]);
  return /lladdr (\S+)/.exec(out)?.[1] ?? null;
}

before(async () => {
  lab = await createLab({ servers: 3, clients: 1 });
  configFile = writeServiceConfig(lab, [`vip = ${VIP}/24`, 'vip_interface = eth0']);
});

after(() => lab?.dispose());

test('VIP follows the service across namespaces: failover, gratuitous ARP, host cut off and back', async () => {
  const [s1, s2] = lab.servers as [LabNode, LabNode, LabNode];

  const dry = await haValet('run', '--dry-run');
  assert.equal(dry.code, 1, dry.stdout + dry.stderr); // not up yet
  assert.match(dry.stdout, new RegExp(`would add VIP on ${s1.address} \\(eth0\\)`));
  assert.deepEqual(holders(), [], 'a dry run adds nothing');

  const first = await haValet('run');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`VIP ${VIP} added on ${s1.address}`));
  assert.deepEqual(holders(), ['s1']);
  assert.equal(await clientReaches(lab, VIP, s1), s1.address);

  // The active instance dies and cannot restart there: the service and the address move to s2,
  // and the client's ARP entry follows.
  killService(lab, s1, true);
  const failover = await haValet('run');
  assert.equal(failover.code, 0, failover.stderr);
  assert.match(failover.stdout, new RegExp(`removed from ${s1.address}, added on ${s2.address}`));
  assert.deepEqual(holders(), ['s2']);
  const deadline = Date.now() + 5_000;
  while (clientArpFor() !== lab.mac(s2) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(clientArpFor(), lab.mac(s2), 'the gratuitous ARP updated the client’s neighbour entry');
  assert.equal(await clientReaches(lab, VIP, s2), s2.address);

  // s2 is cut off while it holds the address (its service keeps running): s1, mended, takes over.
  mendService(lab, s1);
  lab.setLink(s2, false);
  const cut = await haValet('run');
  assert.equal(cut.code, 0, cut.stderr);
  assert.match(cut.stdout, new RegExp(`added on ${s1.address}`));
  assert.match(
    cut.stdout,
    new RegExp(`VIP problem: ${s2.address.replace(/\./g, '\\.')} could not be checked`),
  );
  assert.deepEqual(holders(), ['s1', 's2'], 's2 still holds it while cut off');
  assert.equal(await clientReaches(lab, VIP, s1), s1.address);
  const status = await haValet('status', '--json', '--no-probe');
  const report = JSON.parse(status.stdout) as {
    processes: Array<{ vip: { holders: string[]; problem: string } }>;
  };
  assert.deepEqual(report.processes[0]!.vip.holders, [s1.address]);
  assert.match(report.processes[0]!.vip.problem, /could not be checked/);

  // s2 comes back still holding the address and running: split brain, s2 is stopped and loses the VIP.
  lab.setLink(s2, true);
  const back = await haValet('run');
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, new RegExp(`removed from ${s2.address}`));
  assert.deepEqual(holders(), ['s1'], 'only one host holds the address');
  assert.equal(await clientReaches(lab, VIP, s1), s1.address);

  // A settled world: a further pass changes nothing.
  const settled = await haValet('run');
  assert.equal(settled.code, 0, settled.stderr);
  assert.match(settled.stdout, new RegExp(`VIP ${VIP} on ${s1.address}`));
  assert.deepEqual(holders(), ['s1']);
  const nagios = await haValet('nagios');
  assert.equal(nagios.code, 0, nagios.stdout);
  assert.match(nagios.stdout, new RegExp(`VIP ${VIP} on ${s1.address}`));
});
