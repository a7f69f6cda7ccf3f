/**
 * The shell commands a VIP needs on a host, and the reading of `ip -o addr show`.
 * Every substituted value was validated at load time and is quoted again here.
 */
import type { VipConfig } from '../config/model.js';
import { quoteShellWord as q } from '../config/shell-quote.js';

/** Lists the host's addresses equal to the VIP, one line each (`2: eth0    inet 10.0.0.5/24 …`). */
export function showCommand(vip: VipConfig): string {
  const exact = `${vip.address}/${vip.family === 4 ? 32 : 128}`;
  return `ip -o -${vip.family} addr show to ${q(exact)}`;
}

/** Adds the address (idempotent: `replace` succeeds when it is there already). */
export function addCommand(vip: VipConfig, device: string): string {
  if (vip.family === 4) return `ip addr replace ${q(vip.cidr)} dev ${q(device)}`;
  // The kernel sends the unsolicited neighbour advertisement itself once DAD completes.
  const notify = `/proc/sys/net/ipv6/conf/${device}/ndisc_notify`;
  return `{ echo 1 > ${q(notify)}; } 2>/dev/null; ip -6 addr replace ${q(vip.cidr)} dev ${q(device)}`;
}

/**
 * Announces the address with one gratuitous ARP, for either arping on Debian:
 * iputils' (`-I`) or Thomas Habets' (`-i`; it exits 1 because nobody answers, and `-w 0` keeps
 * it from waiting a second for that answer).
 * IPv6 has nothing to run here (see addCommand).
 */
export function announceCommand(vip: VipConfig, device: string): string | null {
  if (vip.family === 6) return null;
  const [ip, dev] = [q(vip.address), q(device)];
  return (
    `if arping -V 2>&1 | grep -q iputils; then arping -q -U -c 1 -I ${dev} ${ip}; ` +
    `else arping -q -U -c 1 -w 0 -i ${dev} -S ${ip} ${ip}; r=$?; [ $r -le 1 ]; fi`
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
