/**
 * The shell commands a VIP needs on a host, and the reading of `ip -o addr show`.
 * Every substituted value was validated at load time and is quoted again here.
 */
import type { VipConfig } from '../config/model.js';
import { quoteShellWord as q } from '../config/shell-quote.js';

/** Exit status of the add command when the address could not be added. */
export const ADD_FAILED = 10;
/** Exit status of the add command when the address went up but its announcement failed. */
export const ANNOUNCE_FAILED = 11;
/** Exit status of an IPv6 add on a host without na6: added with DAD, the kernel announces it after. */
export const ANNOUNCED_AFTER_DAD = 12;

/** Lists the host's addresses equal to the VIP, one line each (`2: eth0    inet 10.0.0.5/24 …`). */
export function showCommand(vip: VipConfig): string {
  const exact = `${vip.address}/${vip.family === 4 ? 32 : 128}`;
  return `ip -o -${vip.family} addr show to ${q(exact)}`;
}

/**
 * Adds the address (idempotent: `replace` succeeds when it is there already). IPv6 goes up with
 * `nodad`: ha-valet removed it from every other candidate first, and duplicate address detection
 * would leave it unusable ("tentative") for 1-2 s, or "dadfailed" for good after a layer-2 split.
 */
export function addCommand(vip: VipConfig, device: string): string {
  if (vip.family === 4) return `ip addr replace ${q(vip.cidr)} dev ${q(device)}`;
  return `ip -6 addr replace ${q(vip.cidr)} dev ${q(device)} nodad`;
}

/**
 * Announces the address so that neighbours replace their cached link-layer address:
 * IPv4 with one gratuitous ARP, for either arping on Debian: iputils' (`-I`) or Thomas Habets'
 * (`-i`; it exits 1 because nobody answers, and `-w 0` keeps it from waiting a second for that
 * answer); IPv6 with one unsolicited neighbour advertisement (override flag, target link-layer
 * address) to all nodes, sent by na6 (Debian's ipv6toolkit): with `nodad` the kernel sends none.
 */
export function announceCommand(vip: VipConfig, device: string): string {
  const [ip, dev] = [q(vip.address), q(device)];
  if (vip.family === 6) return `na6 -i ${dev} -s ${ip} -d ff02::1 -t ${ip} -o -e >/dev/null`;
  return (
    `if arping -V 2>&1 | grep -q iputils; then arping -q -U -c 1 -I ${dev} ${ip}; ` +
    `else arping -q -U -c 1 -w 0 -i ${dev} -S ${ip} ${ip}; r=$?; [ $r -le 1 ]; fi`
  );
}

/**
 * The whole add step, one round trip: add, then announce (exit ADD_FAILED or ANNOUNCE_FAILED).
 * An IPv6 host without na6 gets the address with DAD instead, after which the kernel sends the
 * neighbour advertisement itself (`ndisc_notify` switched on), and the script exits
 * ANNOUNCED_AFTER_DAD.
 */
export function addAndAnnounceCommand(vip: VipConfig, device: string): string {
  const fast = `{ ${addCommand(vip, device)}; } || exit ${ADD_FAILED}; { ${announceCommand(vip, device)}; } || exit ${ANNOUNCE_FAILED}`;
  if (vip.family === 4) return fast;
  const notify = q(`/proc/sys/net/ipv6/conf/${device}/ndisc_notify`);
  const withDad = `ip -6 addr replace ${q(vip.cidr)} dev ${q(device)}`;
  return (
    `if command -v na6 >/dev/null 2>&1; then ${fast}; ` +
    `else { echo 1 > ${notify}; } 2>/dev/null; { ${withDad}; } || exit ${ADD_FAILED}; exit ${ANNOUNCED_AFTER_DAD}; fi`
  );
}

/** Removes the address from one device. */
export function removeCommand(vip: VipConfig, device: string): string {
  return `ip addr del ${q(vip.cidr)} dev ${q(device)}`;
}

/** The devices that carry `vip.address` in the output of showCommand. */
export function devicesHolding(vip: VipConfig, output: string): string[] {
  const family = vip.family === 4 ? 'inet' : 'inet6';
  const devices: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^\d+:\s+(\S+)\s+(inet6?)\s+([^/\s]+)\//.exec(line);
    if (!match || match[2] !== family || match[3] !== vip.address) continue;
    const device = match[1]!.split('@')[0]!;
    if (!devices.includes(device)) devices.push(device);
  }
  return devices;
}
