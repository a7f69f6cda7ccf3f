/** What the lab's client sees of a VIP (IPv4 or IPv6): which servers hold it, and who answers on it. */
import { isIPv6 } from 'node:net';
import { SERVICE_PORT } from './lab-service.js';
import type { Lab, LabNode } from './vip-lab.js';

/** The servers that hold `vip`, by name. */
export function vipHolders(lab: Lab, vip: string): string[] {
  const [family, exact] = isIPv6(vip) ? ['-6', `${vip}/128`] : ['-4', `${vip}/32`];
  return lab.servers
    .filter((s) => lab.exec(s, ['ip', '-o', family, 'addr', 'show', 'to', exact]).trim() !== '')
    .map((s) => s.name);
}

/** What the first client reads from VIP:SERVICE_PORT, or why nothing answered (bash takes IPv6 unbracketed). */
export function askVip(lab: Lab, vip: string): { answer: string | null; error: string } {
  const script = `exec 3<>/dev/tcp/${vip}/${SERVICE_PORT} && head -n 1 <&3`;
  const result = lab.tryExec(lab.clients[0]!, ['timeout', '2', 'bash', '-c', script], 5_000);
  const error = `exit ${result.status}: ${result.stderr.trim()}`;
  return { answer: result.status === 0 ? result.stdout.trim() : null, error };
}

/** Reads `read()` every `everyMs` until `done` holds or `withinMs` passed; returns the last reading. */
async function pollUntil<T>(read: () => T, done: (value: T) => boolean, withinMs: number, everyMs: number) {
  const deadline = Date.now() + withinMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = read();
  }
  return value;
}

/**
 * Polls until the client reaches `server` through `vip` (wide margin: the machine is shared);
 * returns the last answer, or why nothing answered.
 */
export async function clientReaches(
  lab: Lab,
  vip: string,
  server: LabNode,
  withinMs = 20_000,
): Promise<string | null> {
  const last = await pollUntil(
    () => askVip(lab, vip),
    (r) => r.answer === server.address,
    withinMs,
    200,
  );
  return last.answer ?? last.error;
}

/** The MAC the first client's neighbour table (ARP or NDP) has for `vip`, or null. */
export function clientNeighbourMac(lab: Lab, vip: string): string | null {
  const out = lab.exec(lab.clients[0]!, ['ip', 'neigh', 'show', vip]);
  return /lladdr (\S+)/.exec(out)?.[1] ?? null;
}

/**
 * Polls until the first client's neighbour entry for `vip` names `server`'s MAC (wide margin);
 * returns the MAC it last had. Nothing but an announcement moves a fresh entry that fast.
 */
export function clientNeighbourFollows(
  lab: Lab,
  vip: string,
  server: LabNode,
  withinMs = 5_000,
): Promise<string | null> {
  const mac = lab.mac(server);
  return pollUntil(
    () => clientNeighbourMac(lab, vip),
    (m) => m === mac,
    withinMs,
    100,
  );
}
