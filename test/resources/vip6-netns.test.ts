/**
 * An IPv6 VIP on a real network: two server namespaces (each an SSH host) and a client namespace
 * on one bridge, every node with a ULA (fd77::n/64). ha-valet runs in the client namespace; the
 * client connects to [fd77::50] and reads the name of the instance that answered, and its
 * neighbour (NDP) entry for the VIP must follow the address at once: added with `nodad`, the
 * address is announced by na6's unsolicited neighbour advertisement, since the kernel sends none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVipAddress } from '../../src/config/build-vip.js';
import {
  ANNOUNCED_AFTER_DAD,
  addAndAnnounceCommand,
  removeCommand,
} from '../../src/resources/vip-commands.js';
import { runHaValetInLab, writeServiceConfig } from '../helpers/lab-service.js';
import { clientNeighbourFollows, clientReaches } from '../helpers/vip-client.js';
import { createLab, LAB_SUBNET6, type Lab, type LabNode } from '../helpers/vip-lab.js';
import { comeBack, cutOff, failOver, settled, startOn, type VipScenario } from '../helpers/vip-scenario.js';

const VIP = `${LAB_SUBNET6}50`;
let lab: Lab;
let configFile: string;
let scenario: VipScenario;

/** Runs ha-valet in the client namespace. */
function haValet(...args: string[]) {
  return runHaValetInLab(lab, configFile, args);
}

/** The flags `ip` shows for `address` on a server's eth0 ('nodad', 'tentative' …), or null when absent. */
function addressFlags(server: LabNode, address: string): string | null {
  const out = lab.exec(server, ['ip', '-o', '-6', 'addr', 'show', 'dev', 'eth0', 'to', `${address}/128`]);
  return /scope global ?([^\\]*)/.exec(out)?.[1]?.trim() ?? null;
}

/** The reason of the newest vip-add journal entry. */
async function lastAddReason(): Promise<string> {
  const history = await haValet('history', '--json');
  const entries = JSON.parse(history.stdout) as Array<{ event: string; reason: string }>;
  return entries.filter((e) => e.event === 'vip-add').at(-1)?.reason ?? '';
}

before(async () => {
  lab = await createLab({ servers: 2, clients: 1, ipv6: true });
  configFile = writeServiceConfig(lab, [`vip = ${VIP}/64`, 'vip_interface = eth0']);
  scenario = { lab, vip: VIP, haValet };
});

after(() => lab?.dispose());

test('IPv6 VIP follows the service: nodad, neighbour advertisement, host cut off and back', async () => {
  const [s1, s2] = lab.servers as [LabNode, LabNode];

  await startOn(scenario, s1);
  assert.equal(addressFlags(s1, VIP), 'nodad', 'added without DAD: usable at once, never tentative');
  assert.match(await lastAddReason(), /added on eth0, neighbour advertisement sent/);

  // The active instance dies and cannot restart there: the service and the address move to s2.
  // The client's entry was REACHABLE on s1's MAC: nothing but the advertisement moves it that fast.
  await failOver(scenario, s1, s2);
  assert.equal(addressFlags(s2, VIP), 'nodad');

  // s2 is cut off while it holds the address (its service keeps running): s1, mended, takes over;
  // s2 comes back still holding it and running: it is stopped and loses the VIP.
  await cutOff(scenario, s2, s1);
  await comeBack(scenario, s2, s1);
  await settled(scenario, s1);
});

test('a host without na6 adds the IPv6 VIP with DAD, and the kernel advertises it after', async () => {
  const [s1, s2] = lab.servers as [LabNode, LabNode];
  // A second address, moved by hand with the very commands ha-valet runs: first on s2, where the
  // client learns s2's MAC for it (nothing listens on port 9: the refusal comes from s2) …
  const vip = { ...parseVipAddress(`${LAB_SUBNET6}51/64`)!, interfaces: { [s1.address]: 'eth0' } };
  lab.exec(s2, ['ip', '-6', 'addr', 'add', vip.cidr, 'dev', 'eth0', 'nodad']);
  lab.tryExec(lab.clients[0]!, ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${vip.address}/9`]);
  assert.equal(await clientNeighbourFollows(lab, vip.address, s2), lab.mac(s2));

  // … then to s1, whose PATH has ip but not na6 (/usr/sbin): exit 12, the address is tentative.
  lab.exec(s2, ['sh', '-c', removeCommand(vip, 'eth0')]);
  const add = lab.tryExec(s1, ['env', 'PATH=/usr/bin:/bin', 'sh', '-c', addAndAnnounceCommand(vip, 'eth0')]);
  assert.equal(add.status, ANNOUNCED_AFTER_DAD, add.stderr);
  assert.match(addressFlags(s1, vip.address) ?? '', /tentative/);
  assert.equal(lab.exec(s1, ['cat', '/proc/sys/net/ipv6/conf/eth0/ndisc_notify']).trim(), '1');

  // DAD takes 1-2 s; then the kernel's advertisement moves the client's entry, and s1 answers.
  assert.equal(await clientNeighbourFollows(lab, vip.address, s1, 10_000), lab.mac(s1));
  assert.equal(addressFlags(s1, vip.address), '');
  assert.equal(await clientReaches(lab, vip.address, s1), s1.address);
});
