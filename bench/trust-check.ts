/**
 * What the file trust check costs a start: the check itself in-process (the
 * demo config, and a config of 200 SSH processes with their keys), and a
 * `--dry-run` pass of the demo config with the check on and off, interleaved.
 *   npx tsc -p . && node dist/bench/trust-check.js [ROUNDS]   (run from the repo root)
 * Runs without NODE_EXTRA_CA_CERTS, as cron and systemd do.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load-config.js';
import { trustDiagnostics } from '../src/trust/check-trust.js';

const rounds = Number(process.argv[2] ?? 21);
const root = process.cwd();
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/entry.cjs');
const demo = path.join(root, 'config', 'demo.cfg');
const env: NodeJS.ProcessEnv = { ...process.env, HA_VALET_TRUST_CHECK: '' };
delete env.NODE_EXTRA_CA_CERTS;

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median µs of one in-process check of `file` (fresh reader each time: no cache carried over). */
async function timeCheck(file: string, runs: number): Promise<{ us: number; problems: number }> {
  const config = await loadConfig(file);
  const samples: number[] = [];
  let problems = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    problems = trustDiagnostics(file, config).length;
    samples.push((performance.now() - started) * 1000);
  }
  return { us: median(samples), problems };
}

/** A config of `count` SSH processes sharing one key and known_hosts, in a temp dir. */
function sshConfig(dir: string, count: number): string {
  const key = path.join(dir, 'id_test');
  writeFileSync(key, 'key\n');
  chmodSync(key, 0o600);
  writeFileSync(path.join(dir, 'known_hosts'), '');
  const sections = Array.from(
    { length: count },
    (_, i) =>
      `[P${i}]\nhost = 10.0.${i >> 8}.${i & 255}\ntransport = ssh\nssh_key = ${key}\n` +
      `ssh_known_hosts = ${dir}/known_hosts\nstart = a\nstop = b\ntest = c\n`,
  );
  const file = path.join(dir, 'ha_valet.cfg');
  writeFileSync(file, `[DEFAULT]\nstate_dir = ${dir}/state\n${sections.join('\n')}`);
  return file;
}

/** Wall ms of one CLI run. */
function time(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'ignore', env });
  if (result.error) throw result.error;
  return performance.now() - started;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-bench-trust-'));
try {
  const demoCheck = await timeCheck(demo, 500);
  const sshCheck = await timeCheck(sshConfig(dir, 200), 200);
  const pass = { enforce: [] as number[], off: [] as number[], node: [] as number[] };
  const base = ['-c', demo, '--log-level', 'error', '--dry-run'];
  for (let i = 0; i < rounds; i++) {
    pass.node.push(time(['--version']));
    pass.enforce.push(time(['--trust-check', 'enforce', ...base]));
    pass.off.push(time(['--trust-check', 'off', ...base]));
  }
  process.stdout.write(
    `trust check bench, Node ${process.version}, ${rounds} interleaved rounds, median wall\n` +
      `in-process check, demo config (2 local processes):      ${demoCheck.us.toFixed(0)} µs, ${demoCheck.problems} problems\n` +
      `in-process check, 200 SSH processes, one key:          ${sshCheck.us.toFixed(0)} µs, ${sshCheck.problems} problems\n` +
      `ha-valet --version                                     ${median(pass.node).toFixed(1)} ms\n` +
      `ha-valet --dry-run, demo config, --trust-check enforce ${median(pass.enforce).toFixed(1)} ms\n` +
      `ha-valet --dry-run, demo config, --trust-check off     ${median(pass.off).toFixed(1)} ms\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
