/**
 * Wall time of one pass on the demo config (--dry-run and real) next to a bare
 * `node -e 0` and to the test commands run by themselves, interleaved in one run.
 *   npx tsc -p . && node dist/bench/pass-time.js [ROUNDS]   (run from the repo root)
 * Starts the demo services first (a real pass), so the measured real passes find
 * everything up and only test; stops them at the end. Runs without
 * NODE_EXTRA_CA_CERTS, as cron and systemd do (it costs every Node start ~90 ms
 * here); when this shell sets it, `[CA]` rows measure node and a pass with it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 15);
const root = process.cwd();
// The CLI of the same build as this bench (what bin/ha-valet imports when built to dist/), so a
// build to another outDir measures itself.
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/entry.cjs');
const config = path.join(root, 'config', 'demo.cfg');
const demoService = path.join(root, 'config', 'demo', 'demo-service.mjs');
const testCommand = (host: string, port: number, rank: number): string =>
  `bash -c 'exec 3<>/dev/tcp/${host}/${port} && read -t 5 reply <&3 && [ "$reply" = "ok ${host}" ]' 2>/dev/null && exit ${rank}; exit 0`;
const tests = [18091, 18090].flatMap((port) => [
  testCommand('127.0.0.2', port, 1),
  testCommand('127.0.0.3', port, 2),
]);

const serviceEnv: NodeJS.ProcessEnv = { ...process.env };
delete serviceEnv.NODE_EXTRA_CA_CERTS;
const withCa = process.env.NODE_EXTRA_CA_CERTS !== undefined;

/** Runs a command and returns its wall time in ms. */
function time(command: string, args: string[], env: NodeJS.ProcessEnv = serviceEnv): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'ignore', env });
  if (result.error) throw result.error;
  return performance.now() - started;
}

/** The four test commands at once, as the pass runs them. */
function timeTestsAlone(): number {
  const script = tests.map((t) => `(${t}) &`).join(' ') + ' wait';
  return time('bash', ['-c', script]);
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

spawnSync(process.execPath, [cli, '-c', config, '--log-level', 'error'], { cwd: root, stdio: 'ignore' });
const samples: Record<string, number[]> = {
  'node -e 0': [],
  'test commands alone': [],
  'pass --dry-run': [],
  pass: [],
  ...(withCa ? { 'node -e 0 [CA]': [], 'pass [CA]': [] } : {}),
};
for (let i = 0; i < rounds; i++) {
  samples['node -e 0']!.push(time(process.execPath, ['-e', '0']));
  samples['test commands alone']!.push(timeTestsAlone());
  samples['pass --dry-run']!.push(
    time(process.execPath, [cli, '-c', config, '--dry-run', '--log-level', 'error']),
  );
  samples.pass!.push(time(process.execPath, [cli, '-c', config, '--log-level', 'error']));
  if (withCa) {
    samples['node -e 0 [CA]']!.push(time(process.execPath, ['-e', '0'], process.env));
    samples['pass [CA]']!.push(
      time(process.execPath, [cli, '-c', config, '--log-level', 'error'], process.env),
    );
  }
}
for (const host of ['127.0.0.2', '127.0.0.3']) {
  for (const port of [18090, 18091]) spawnSync(process.execPath, [demoService, 'stop', host, String(port)]);
}

const node = median(samples['node -e 0']!);
const alone = median(samples['test commands alone']!);
console.log(`demo config, 2 processes x 2 hosts, ${rounds} interleaved rounds, median wall ms`);
console.log('rows without [CA] run without NODE_EXTRA_CA_CERTS (as under cron and systemd)');
console.log('what                     median    min   vs node -e 0');
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(
    `${name.padEnd(22)} ${m.toFixed(1).padStart(8)} ${Math.min(...values)
      .toFixed(1)
      .padStart(6)}   ${(m / node).toFixed(2)}x`,
  );
}
const pass = median(samples.pass!);
console.log(
  `pass - test commands alone = ${(pass - alone).toFixed(1)} ms = ${((pass - alone) / node).toFixed(2)}x node -e 0 (aim: <= 2x)`,
);
if (withCa) {
  const passCa = median(samples['pass [CA]']!) - alone;
  const nodeCa = median(samples['node -e 0 [CA]']!);
  console.log(
    `[CA]: pass - test commands alone = ${passCa.toFixed(1)} ms = ${(passCa / nodeCa).toFixed(2)}x node -e 0 [CA]`,
  );
}
