/** What the lab's client sees of a VIP: which servers hold it, and who answers on it. */
import { SERVICE_PORT } from './lab-service.js';
import type { Lab, LabNode } from './vip-lab.js';

/** The servers that hold `vip`, by name. */
export function vipHolders(lab: Lab, vip: string): string[] {
  return lab.servers
    .filter((s) => lab.exec(s, ['ip', '-o', '-4', 'addr', 'show', 'to', `${vip}/32`]).trim() !== '')
    .map((s) => s.name);
}

/** What the first client reads from VIP:SERVICE_PORT, or why nothing answered. */
export function askVip(lab: Lab, vip: string): { answer: string | null; error: string } {
  const script = `exec 3<>/dev/tcp/${vip}/${SERVICE_PORT} && head -n 1 <&3`;
  const result = lab.tryExec(lab.clients[0]!, ['timeout', '2', 'bash', '-c', script], 5_000);
  const error = `exit ${result.status}: ${result.stderr.trim()}`;
  return { answer: result.status === 0 ? result.stdout.trim() : null, error };
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
  const deadline = Date.now() + withinMs;
  let last: { answer: string | null; error: string } = { answer: null, error: '' };
  while (Date.now() < deadline) {
    last = askVip(lab, vip);
    if (last.answer === server.address) return last.answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last.answer ?? last.error;
}
