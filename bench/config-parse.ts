/**
 * Parse time of a 1,000-section ha_valet.cfg (both dialects, every template
 * form, 3 hosts per section). Prints the median and best of 20 runs after
 * warm-up. Target: well under 100 ms. Run: node dist/bench/config-parse.js
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseConfigText } from '../src/config/load-config.js';

const SECTIONS = 1000;
const RUNS = 20;

/** Builds a config text with n sections, alternating dialects and template forms. */
function buildConfig(n: number): string {
  const parts = ['[DEFAULT]', 'APP_DIR = /opt/app', 'user = stack', 'test_timeout = 5s', ''];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      parts.push(
        `[svc${i}]`,
        `host = node${i % 7}`,
        `stand_by_list = node${i % 7},node${(i + 1) % 7},10.0.${i % 250}.1`,
        `port = ${8000 + (i % 1000)}`,
        'protocol = http',
        `priority = ${1 + (i % 3)}`,
        `start = "ssh %s@%s 'cd @APP_DIR@ ; ./d.py start'" % (user, host)`,
        `stop = "ssh %s@%s 'cd @APP_DIR@ ; ./d.py stop'" % (user, host)`,
        `test = "netstat -nap | grep %s | exit $(awk \\'{print $1}\\')" % (port)`,
        'before_failover.1 = optional: notify {process} {reason}',
        '',
      );
    } else {
      parts.push(
        `:svc${i}`,
        `    host = node${i % 7}`,
        `    standy_by_list = node${i % 7},node${(i + 2) % 7}`,
        `    port = ${9000 + (i % 1000)}`,
        '    start_command = ssh {user}@{host} start',
        '    stop_command = "ssh %(user)s@%(host)s stop"',
        "    test_command = 'exit %d' % rank",
        '',
      );
    }
  }
  return parts.join('\n');
}

/** Times one parse: wall ms and this process's CPU ms (less distorted on a busy machine). */
function timeParse(text: string): { wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const { config } = parseConfigText(text, 'bench.cfg', { env: {} });
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  if (!config || config.processes.length !== SECTIONS) throw new Error('bench config did not parse');
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Median, best and worst of a list of ms figures. */
function summarise(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number): string => (sorted[i] ?? 0).toFixed(1);
  return `median ${at(Math.floor(sorted.length / 2))} ms, best ${at(0)} ms, worst ${at(sorted.length - 1)} ms`;
}

const text = buildConfig(SECTIONS);
for (let i = 0; i < 3; i++) timeParse(text);
const runs = Array.from({ length: RUNS }, () => timeParse(text));
console.log(
  `config-parse: ${SECTIONS} sections, ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB, ${RUNS} runs after 3 warm-up`,
);
console.log(`  wall: ${summarise(runs.map((r) => r.wall))}`);
console.log(`  cpu:  ${summarise(runs.map((r) => r.cpu))}`);
console.log(`  load average: ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`);
