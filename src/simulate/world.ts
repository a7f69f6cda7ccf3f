/**
 * The simulated world of `ha-valet simulate`: what each host's test would say,
 * and which starts would fail. Built from the command line (and, with
 * --from-state, from each host's last stored observation); changed by the
 * simulated starts and stops, never by a real command.
 */
import { HOOK_FIELDS } from '../config/build-hooks.js';
import { HOOK_KEYS, type HookKey } from '../config/keys.js';
import { UsageError } from '../errors.js';
import { MAX_PRIORITY } from '../probe/classify.js';
import type { Observation } from '../probe/observation.js';

/** What a host's test command answers in the simulation. */
export type HostCondition =
  { kind: 'up'; priority: number } | { kind: 'down' } | { kind: 'unreachable' } | { kind: 'error' };

/** The world as the operator described it: per host, for every process that may run there. */
export interface WorldSpec {
  hosts: Record<string, HostCondition>;
  /** Hosts where a start command fails (exit 1). */
  startFails: string[];
  /** Hosts whose fence command fails (exit 1). */
  fenceFails: string[];
  /** Hooks (config names) whose every step fails (exit 1). */
  hookFails: HookKey[];
}

/** The command-line flags that describe a world. */
export interface WorldFlags {
  down?: string[];
  unreachable?: string[];
  up?: string[];
  startFails?: string[];
  fenceFails?: string[];
  hookFails?: string[];
}

/** `--hook-fails NAME`: a hook's config name (before_failover, on_failed…). */
function parseHookName(text: string): HookKey {
  const name = text.trim();
  const known: readonly string[] = HOOK_KEYS;
  if (!known.includes(name)) {
    throw new UsageError(`--hook-fails expects one of ${HOOK_KEYS.join(', ')}, got '${text}'`);
  }
  return name as HookKey;
}

/** Parses `--up HOST=PRIORITY` and friends; a host named twice with different conditions is a usage error. */
export function parseWorldFlags(flags: WorldFlags): WorldSpec {
  const hosts: Record<string, HostCondition> = {};
  const set = (host: string, condition: HostCondition, flag: string): void => {
    const name = host.trim();
    if (name === '') throw new UsageError(`${flag} expects a host name, got an empty value`);
    const before = hosts[name];
    if (before && JSON.stringify(before) !== JSON.stringify(condition)) {
      throw new UsageError(`host ${name} is given two conditions (${describeCondition(before)} and ${flag})`);
    }
    hosts[name] = condition;
  };
  for (const host of flags.down ?? []) set(host, { kind: 'down' }, '--down');
  for (const host of flags.unreachable ?? []) set(host, { kind: 'unreachable' }, '--unreachable');
  for (const pair of flags.up ?? []) {
    const match = /^([^=]+)=(\d+)$/.exec(pair.trim());
    const priority = match ? Number(match[2]) : NaN;
    if (!match || priority < 1 || priority > MAX_PRIORITY) {
      throw new UsageError(
        `--up expects HOST=PRIORITY with a priority from 1 to ${MAX_PRIORITY}, got '${pair}'`,
      );
    }
    set(match[1]!, { kind: 'up', priority }, `--up ${pair}`);
  }
  return {
    hosts,
    startFails: (flags.startFails ?? []).map((h) => h.trim()),
    fenceFails: (flags.fenceFails ?? []).map((h) => h.trim()),
    hookFails: [...new Set((flags.hookFails ?? []).map(parseHookName))],
  };
}

/** 'up (priority 2)', 'down', 'unreachable'. */
export function describeCondition(condition: HostCondition): string {
  return condition.kind === 'up' ? `up (priority ${condition.priority})` : condition.kind;
}

/** The condition an observation stands for (used with --from-state). */
export function conditionOf(observation: Observation): HostCondition {
  if (observation.kind === 'up') return { kind: 'up', priority: observation.priority ?? 1 };
  return { kind: observation.kind };
}

/** The hooks (by HookName, as act/ runs them) whose steps fail in `world`. */
export function failingHooks(world: WorldSpec): ReadonlySet<string> {
  return new Set(world.hookFails.map((key) => HOOK_FIELDS[key]));
}

/** The simulated hosts of one process: conditions that starts and stops change as the passes go. */
export class ProcessWorld {
  private readonly conditions = new Map<string, HostCondition>();

  constructor(
    readonly process: string,
    initial: Record<string, HostCondition>,
    private readonly startFails: ReadonlySet<string>,
  ) {
    for (const [host, condition] of Object.entries(initial)) this.conditions.set(host, condition);
  }

  /** What `host` answers now; a host nobody described answers 'down' (reachable, not running). */
  condition(host: string): HostCondition {
    return this.conditions.get(host) ?? { kind: 'down' };
  }

  /** Whether a start on `host` fails. */
  startFailsOn(host: string): boolean {
    return this.startFails.has(host);
  }

  /** A start that worked: the host now answers up with `priority`. */
  markStarted(host: string, priority: number): void {
    this.conditions.set(host, { kind: 'up', priority });
  }

  /** A stop that worked: the host now answers down. */
  markStopped(host: string): void {
    this.conditions.set(host, { kind: 'down' });
  }
}
