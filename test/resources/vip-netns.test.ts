/**
 * The VIP on a real network: three server namespaces (each an SSH host) and a
 * client namespace on one bridge. ha-valet runs in the client namespace and
 * reaches the servers over SSH; the client connects to the VIP and reads the
 * name of the instance that answered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runHaValetInLab, writeServiceConfig } from '../helpers/lab-service.js';
import { vipHolders } from '../helpers/vip-client.js';
import { comeBack, cutOff, failOver, settled, startOn, type VipScenario } from '../helpers/vip-scenario.js';
import { createLab, LAB_SUBNET, type Lab, type LabNode } from '../helpers/vip-lab.js';

const VIP = `${LAB_SUBNET}.50`;
let lab: Lab;
let configFile: string;
let scenario: VipScenario;

/** Runs ha-valet in the client namespace. */
function haValet(...args: string[]) {
  return runHaValetInLab(lab, configFile, args);
}

/** The servers that hold the VIP, by name. */
const holders = () => vipHolders(lab, VIP);

before(async () => {
  lab = await createLab({ servers: 3, clients: 1 });
  configFile = writeServiceConfig(lab, [`vip = ${VIP}/24`, 'vip_interface = eth0']);
  scenario = { lab, vip: VIP, haValet };
});

after(() => lab?.dispose());

test('VIP follows the service across namespaces: failover, gratuitous ARP, host cut off and back', async () => {
  const [s1, s2] = lab.servers as [LabNode, LabNode, LabNode];

  const dry = await haValet('run', '--dry-run');
  assert.equal(dry.code, 1, dry.stdout + dry.stderr); // not up yet
  assert.match(dry.stdout, new RegExp(`would add VIP on ${s1.address} \\(eth0\\)`));
  assert.deepEqual(holders(), [], 'a dry run adds nothing');

  await startOn(scenario, s1);

  // The active instance dies and cannot restart there: the service and the address move to s2,
  // and the gratuitous ARP moves the client's ARP entry.
  await failOver(scenario, s1, s2);

  // s2 is cut off while it holds the address (its service keeps running): s1, mended, takes over.
  await cutOff(scenario, s2, s1);
  const status = await haValet('status', '--json', '--no-probe');
  const report = JSON.parse(status.stdout) as {
    processes: Array<{ vip: { holders: string[]; problem: string } }>;
  };
  assert.deepEqual(report.processes[0]!.vip.holders, [s1.address]);
  assert.match(report.processes[0]!.vip.problem, /could not be checked/);

  // s2 comes back still holding the address and running: split brain, s2 is stopped and loses the VIP.
  await comeBack(scenario, s2, s1);

  // A settled world: a further pass changes nothing.
  await settled(scenario, s1);
  const nagios = await haValet('nagios');
  assert.equal(nagios.code, 0, nagios.stdout);
  assert.match(nagios.stdout, new RegExp(`VIP ${VIP} on ${s1.address}`));
});
