/**
 * Executors that run nothing: each command of a candidate host is answered
 * from the simulated world (tests by the host's condition, starts and stops by
 * changing it); hooks and fences succeed unless the world says they fail.
 * Every command that would have run is noted.
 */
import type { Candidate, ProcessConfig } from '../config/model.js';
import type { Executor, ExecutorPool, RunOptions, RunResult } from '../exec/executor.js';
import type { ProcessWorld } from './world.js';

/** A command the real pass would have run, in order. */
export interface WouldRun {
  process: string;
  host: string;
  /** `local`: a hook or fence step, run on this machine. */
  role: 'test' | 'start' | 'stop' | 'local';
  command: string;
}

/** A result of the shape executors return, taking no time. */
function result(exitCode: number | null, transportError: string | null = null): RunResult {
  return { exitCode, signal: null, timedOut: false, durationMs: 0, stdout: '', stderr: '', transportError };
}

/** The test's answer for a host in the simulated world. */
function testResult(world: ProcessWorld, host: string): RunResult {
  const condition = world.condition(host);
  if (condition.kind === 'up') return result(condition.priority);
  if (condition.kind === 'down') return result(0);
  if (condition.kind === 'error') return result(127);
  // What ssh answers for a host it cannot reach.
  return result(255);
}

/** The simulated executor of one candidate host of one process. */
class SimulatedExecutor implements Executor {
  readonly transport;
  readonly host;

  constructor(
    private readonly process: ProcessConfig,
    private readonly candidate: Candidate,
    private readonly world: ProcessWorld,
    private readonly log: WouldRun[],
  ) {
    this.transport = candidate.transport;
    this.host = candidate.host;
  }

  /** Answers `command` by its role (test, start or stop of this candidate). */
  run(command: string, _options: RunOptions): Promise<RunResult> {
    const { commands, host } = this.candidate;
    const role = command === commands.test ? 'test' : command === commands.start ? 'start' : 'stop';
    if (role !== 'test') this.log.push({ process: this.process.name, host, role, command });
    const condition = this.world.condition(host);
    if (role === 'test') return Promise.resolve(testResult(this.world, host));
    if (condition.kind === 'unreachable') return Promise.resolve(result(null, 'host unreachable'));
    if (role === 'start') {
      if (this.world.startFailsOn(host)) return Promise.resolve(result(1));
      this.world.markStarted(host, this.candidate.rank);
      return Promise.resolve(result(0));
    }
    this.world.markStopped(host);
    return Promise.resolve(result(0));
  }
}

/** Which hook and fence commands fail in the simulated world. */
export interface LocalFailures {
  /** Hosts whose fence exits 1. */
  fences: ReadonlySet<string>;
  /** HookNames (beforeFailover…) whose every step exits 1. */
  hooks: ReadonlySet<string>;
}

/**
 * Runs hook and fence commands (this machine's) by noting them. A step
 * succeeds unless the world makes its hook or its host's fence fail; act/
 * tells them apart by the environment it passes (HA_VALET_HOOK, HA_VALET_FENCE_HOST).
 */
export class SimulatedHookExecutor implements Executor {
  readonly transport = 'local' as const;
  readonly host = 'localhost';
  /** The process whose pass is being simulated (hooks carry no candidate). */
  process = '';

  constructor(
    private readonly log: WouldRun[],
    private readonly failures: LocalFailures = { fences: new Set(), hooks: new Set() },
  ) {}

  run(command: string, options: RunOptions): Promise<RunResult> {
    this.log.push({ process: this.process, host: this.host, role: 'local', command });
    const fenced = options.env?.HA_VALET_FENCE_HOST;
    const hook = options.env?.HA_VALET_HOOK;
    const fails =
      (fenced !== undefined && this.failures.fences.has(fenced)) ||
      (hook !== undefined && this.failures.hooks.has(hook));
    return Promise.resolve(result(fails ? 1 : 0));
  }
}

/** A pool handing out simulated executors over one world per process. */
export class SimulatedPool implements ExecutorPool {
  constructor(
    private readonly worlds: ReadonlyMap<string, ProcessWorld>,
    private readonly log: WouldRun[],
  ) {}

  /** A group's members share the group's world: the group is simulated as one unit per host. */
  forCandidate(process: ProcessConfig, candidate: Candidate): Executor {
    const world = this.worlds.get(process.group ?? process.name);
    if (!world) throw new Error(`no simulated world for ${process.name}`);
    return new SimulatedExecutor(process, candidate, world, this.log);
  }

  closeAll(): Promise<void> {
    return Promise.resolve();
  }
}
