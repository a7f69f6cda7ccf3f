/**
 * `ha-valet doctor [-p NAME]... [--json]`: tries every host of every process
 * once — for SSH hosts connect, host key and authentication — and runs each
 * test command once, printing one line per process and host. Exit 0 when
 * every host could be checked (down is fine: a stand-by host usually is),
 * 1 when any host is unreachable or its test command is broken.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import type { Candidate, ProcessConfig } from '../../config/model.js';
import { EXIT_NOT_UP, UsageError } from '../../errors.js';
import type { RunResult } from '../../exec/executor.js';
import type { Observation } from '../../probe/observation.js';
import type { GlobalOptions } from '../options.js';

interface DoctorOptions {
  process?: string[];
  json?: boolean;
}

export interface DoctorLine {
  process: string;
  host: string;
  transport: string;
  /** user@host:port for SSH hosts. */
  target?: string;
  /** SSH stages: 'ok', 'failed' or 'not tried'. */
  connect?: string;
  hostKey?: string;
  auth?: string;
  kind: Observation['kind'];
  priority?: number;
  reason?: string;
  durationMs: number;
  ok: boolean;
}

/** Collects a repeatable option (local copy: importing main.js from a command deadlocks its top-level await). */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Registers the doctor command. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('try every host once (SSH connect, host key, auth) and run each test command once')
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option('--json', 'print the per-host results as a JSON array')
    .action(async (options: DoctorOptions) => {
      await runDoctor(program.opts<GlobalOptions>(), options);
    });
}

/** Which SSH stage a transport error stopped at. */
export function sshStages(transportError: string | null): Pick<DoctorLine, 'connect' | 'hostKey' | 'auth'> {
  if (!transportError) return { connect: 'ok', hostKey: 'ok', auth: 'ok' };
  if (/^(host key mismatch|unknown host key)/.test(transportError)) {
    return { connect: 'ok', hostKey: 'failed', auth: 'not tried' };
  }
  if (/^(authentication failed|no ssh credentials)/.test(transportError)) {
    return { connect: 'ok', hostKey: 'ok', auth: 'failed' };
  }
  return { connect: 'failed', hostKey: 'not tried', auth: 'not tried' };
}

/** Builds the report line of one candidate from its test run. */
function toLine(
  process: ProcessConfig,
  candidate: Candidate,
  result: RunResult,
  observation: Observation,
): DoctorLine {
  const ssh = candidate.transport === 'ssh';
  const user = process.ssh.user ?? userInfo().username;
  return {
    process: process.name,
    host: candidate.host,
    transport: candidate.transport,
    ...(ssh ? { target: `${user}@${candidate.host}:${process.ssh.port}` } : {}),
    ...(ssh ? sshStages(result.transportError) : {}),
    kind: observation.kind,
    ...(observation.priority !== undefined ? { priority: observation.priority } : {}),
    ...(observation.reason !== undefined ? { reason: observation.reason } : {}),
    durationMs: result.durationMs,
    ok: observation.kind === 'up' || observation.kind === 'down',
  };
}

/** One human line: `Ostro@Host_A ssh root@Host_A:22: connect ok, host key ok, auth ok; test: up (priority 1), 12 ms`. */
export function formatLine(line: DoctorLine): string {
  const where = line.transport === 'ssh' ? `ssh ${line.target}` : 'local';
  const stages =
    line.transport === 'ssh' ? `connect ${line.connect}, host key ${line.hostKey}, auth ${line.auth}; ` : '';
  const test =
    line.kind === 'up'
      ? `up (priority ${line.priority})`
      : line.kind === 'down'
        ? 'down (exit 0)'
        : `${line.kind}: ${line.reason ?? 'no reason given'}`;
  return `${line.ok ? 'ok  ' : 'FAIL'} ${line.process}@${line.host} ${where}: ${stages}test: ${test}, ${line.durationMs} ms`;
}

/** Loads the config, checks every selected candidate once and prints the report. */
async function runDoctor(global: GlobalOptions, options: DoctorOptions): Promise<void> {
  const { loadConfigFromOptions } = await import('../../config/load-config.js');
  const { createExecutorPool } = await import('../../exec/create-pool.js');
  const { classifyResult } = await import('../../probe/classify.js');
  const { runBounded, DEFAULT_PROBE_CONCURRENCY } = await import('../../probe/probe.js');
  const { runTest } = await import('../../probe/run-test.js');

  const { enforceTrust, resolveTrustSetting } = await import('../../trust/check-trust.js');

  const warn = (message: string): void => void process.stderr.write(`ha-valet: warning: ${message}\n`);
  const config = await loadConfigFromOptions(global, process.env);
  enforceTrust(config, resolveTrustSetting(global.trustCheck), warn);
  const names = options.process ?? [];
  const { unitNamed } = await import('../../config/find-unit.js');
  const unknown = names.filter((name) => !unitNamed(config, name));
  if (unknown.length > 0) {
    const known = config.processes.map((p) => p.name).join(', ');
    throw new UsageError(`no process named ${unknown.join(', ')} in ${config.file} (known: ${known})`);
  }
  const units = names.length > 0 ? names.map((name) => unitNamed(config, name)!) : config.processes;
  // A group is checked member by member: each runs its own test on each host.
  const processes = [...new Set(units)].flatMap((p) => p.members ?? [p]);
  const pool = await createExecutorPool(processes, { warn });
  try {
    const jobs = processes.flatMap((proc) =>
      proc.candidates.map((candidate) => async () => {
        const result = await runTest(pool, proc, candidate, proc.testTimeoutMs);
        return toLine(proc, candidate, result, classifyResult(candidate.host, result, Date.now()));
      }),
    );
    const lines = await runBounded(jobs, DEFAULT_PROBE_CONCURRENCY);
    if (options.json) process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
    else for (const line of lines) process.stdout.write(`${formatLine(line)}\n`);
    const failed = lines.filter((line) => !line.ok).length;
    if (!options.json) {
      process.stdout.write(
        failed === 0
          ? `all ${lines.length} host checks ran\n`
          : `${failed} of ${lines.length} host checks failed\n`,
      );
    }
    if (failed > 0) process.exitCode = EXIT_NOT_UP;
  } finally {
    await pool.closeAll();
  }
}
