/**
 * The steps the VIP namespace tests (IPv4 and IPv6) share: each is one ha-valet pass in the
 * client namespace and what the client sees after it, asserted.
 */
import assert from 'node:assert/strict';
import { killService, mendService } from './lab-service.js';
import type { CliResult } from './run-cli.js';
import { clientNeighbourFollows, clientReaches, vipHolders } from './vip-client.js';
import type { Lab, LabNode } from './vip-lab.js';

export interface VipScenario {
  lab: Lab;
  vip: string;
  haValet(...args: string[]): Promise<CliResult>;
}

/** Runs one pass, which must succeed. */
async function pass(s: VipScenario): Promise<CliResult> {
  const result = await s.haValet('run');
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** The servers that must hold the VIP, by name, in lab order. */
function assertHolders(s: VipScenario, expected: LabNode[], message?: string): void {
  const names = s.lab.servers.filter((n) => expected.includes(n)).map((n) => n.name);
  assert.deepEqual(vipHolders(s.lab, s.vip), names, message);
}

/** The first pass starts the service on `first` and adds the VIP there; the client reaches it. */
export async function startOn(s: VipScenario, first: LabNode): Promise<CliResult> {
  const result = await pass(s);
  assert.match(result.stdout, new RegExp(`VIP ${s.vip} added on ${first.address}`));
  assertHolders(s, [first]);
  assert.equal(await clientReaches(s.lab, s.vip, first), first.address);
  return result;
}

/**
 * `from` dies and cannot restart there: one pass moves the service and the VIP to `to`, the
 * announcement moves the client's neighbour entry, and `to` answers on the VIP.
 */
export async function failOver(s: VipScenario, from: LabNode, to: LabNode): Promise<CliResult> {
  killService(s.lab, from, true);
  const result = await pass(s);
  assert.match(result.stdout, new RegExp(`removed from ${from.address}, added on ${to.address}`));
  assertHolders(s, [to]);
  const mac = await clientNeighbourFollows(s.lab, s.vip, to);
  assert.equal(mac, s.lab.mac(to), 'the announcement updated the client’s neighbour entry');
  assert.equal(await clientReaches(s.lab, s.vip, to), to.address);
  return result;
}

/** `holder` is cut off while it holds the VIP (its service keeps running): `other`, mended, takes over. */
export async function cutOff(s: VipScenario, holder: LabNode, other: LabNode): Promise<CliResult> {
  mendService(s.lab, other);
  s.lab.setLink(holder, false);
  const result = await pass(s);
  assert.match(result.stdout, new RegExp(`added on ${other.address}`));
  const address = holder.address.replace(/\./g, '\\.');
  assert.match(result.stdout, new RegExp(`VIP problem: ${address} could not be checked`));
  assertHolders(s, [holder, other], `${holder.name} still holds it while cut off`);
  assert.equal(await clientNeighbourFollows(s.lab, s.vip, other), s.lab.mac(other));
  assert.equal(await clientReaches(s.lab, s.vip, other), other.address);
  return result;
}

/** `holder` comes back still holding the VIP and running: split brain, it loses the address to `keeper`. */
export async function comeBack(s: VipScenario, holder: LabNode, keeper: LabNode): Promise<CliResult> {
  s.lab.setLink(holder, true);
  const result = await pass(s);
  assert.match(result.stdout, new RegExp(`removed from ${holder.address}`));
  assertHolders(s, [keeper], 'only one host holds the address');
  assert.equal(await clientReaches(s.lab, s.vip, keeper), keeper.address);
  return result;
}

/** A settled world: a further pass changes nothing and says where the VIP is. */
export async function settled(s: VipScenario, keeper: LabNode): Promise<CliResult> {
  const result = await pass(s);
  assert.match(result.stdout, new RegExp(`VIP ${s.vip} on ${keeper.address}`));
  assertHolders(s, [keeper]);
  return result;
}
