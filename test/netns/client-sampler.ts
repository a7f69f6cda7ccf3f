/**
 * The client of the partition suite, run inside the client namespace:
 *   node client-sampler.js PORT HOST...
 * Every 100 ms it connects to PORT on every HOST at once, reads the greeting
 * ("ok HOST") and prints one JSON line: {"t": epoch ms, "up": [hosts that answered]}.
 * Does nothing without arguments (the test runner may load this file).
 */
import net from 'node:net';

const SAMPLE_EVERY_MS = 100;
const ANSWER_WITHIN_MS = 400;

/** Resolves true when host:port greets with "ok HOST" within ANSWER_WITHIN_MS. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ANSWER_WITHIN_MS, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\n')) done(data.trim() === `ok ${host}`);
    });
    socket.on('error', () => done(false));
    socket.on('end', () => done(data.trim() === `ok ${host}`));
  });
}

/** Samples forever. */
async function sample(port: number, hosts: string[]): Promise<void> {
  for (;;) {
    const t = Date.now();
    const results = await Promise.all(hosts.map((h) => answers(h, port)));
    process.stdout.write(`${JSON.stringify({ t, up: hosts.filter((_, i) => results[i]) })}\n`);
    await new Promise((r) => setTimeout(r, Math.max(0, t + SAMPLE_EVERY_MS - Date.now())));
  }
}

const [portText, ...hosts] = process.argv.slice(2);
if (portText && hosts.length > 0) void sample(Number(portText), hosts);
