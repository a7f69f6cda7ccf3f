/**
 * Groups (issue 13): sections with the same `group` always run on one host, started in `order`
 * and stopped in reverse. Each group becomes one unit — a ProcessConfig named after the group,
 * with `members` — that probe, decide, state, watch and status treat like one process. The
 * unit's policy keys (check_count, restart policy, failback, latch…) come from its first member;
 * `vip`, `hosts_entry`, `fence` and hooks belong to the group and are set on at most one member
 * (or agree). Members must share candidate hosts (same order) and transport.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DiagnosticSink } from './diagnostics.js';
import type { Candidate, Hooks, ProcessConfig } from './model.js';
import { HOOK_FIELDS } from './build-hooks.js';
import type { RawSection } from './read-sections.js';

/** Where keys of each section were written: the section, else [DEFAULT]. */
export interface GroupSources {
  sections: Map<string, RawSection>;
  defaults: RawSection | null;
}

/** The unit's policy keys, taken from the first member; another member's own different value is ignored with a warning. */
const POLICY_KEYS: Array<[string, keyof ProcessConfig]> = [
  ['check_count', 'checkCount'],
  ['max_restarts', 'maxRestarts'],
  ['restart_window', 'restartWindowMs'],
  ['given_up_retry', 'givenUpRetryMs'],
  ['min_uptime', 'minUptimeMs'],
  ['backoff_initial', 'backoffInitialMs'],
  ['backoff_max', 'backoffMaxMs'],
  ['failback', 'failback'],
  ['failback_delay', 'failbackDelayMs'],
  ['priority_wait', 'priorityWaitMs'],
  ['latch', 'latch'],
  ['priority', 'priority'],
];

/** A resource of the whole group: at most one member sets it, or all that set it agree. */
interface SharedResource {
  key: string;
  value(p: ProcessConfig, sources: GroupSources): unknown;
}

const SHARED: SharedResource[] = [
  { key: 'vip', value: (p) => p.vip },
  { key: 'hosts_entry', value: (p) => p.hostsEntry },
  { key: 'fence', value: (p, sources) => fenceOf(p, sources) },
  ...Object.entries(HOOK_FIELDS).map(([key, field]) => ({
    key,
    value: (p: ProcessConfig) => (p.hooks[field].length > 0 ? p.hooks[field] : undefined),
  })),
];

/** Replaces the members of each group in `processes` (file order) by the group's unit. */
export function buildGroups(
  processes: ProcessConfig[],
  sources: GroupSources,
  sink: DiagnosticSink,
): ProcessConfig[] {
  const groups = new Map<string, ProcessConfig[]>();
  for (const p of processes) {
    if (p.group !== undefined) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  }
  if (groups.size === 0) return processes;
  const units = new Map<string, ProcessConfig | null>();
  for (const [name, members] of groups) units.set(name, buildUnit(name, members, sources, sink));
  const placed = new Set<string>();
  const result: ProcessConfig[] = [];
  for (const p of processes) {
    if (p.group === undefined) result.push(p);
    else if (!placed.has(p.group)) {
      placed.add(p.group);
      const unit = units.get(p.group);
      if (unit) result.push(unit);
    }
  }
  return result;
}

/** Builds one group's unit, or null after reporting why it cannot be built. */
function buildUnit(
  name: string,
  inFileOrder: ProcessConfig[],
  sources: GroupSources,
  sink: DiagnosticSink,
): ProcessConfig | null {
  const errorsBefore = sink.errorCount;
  const where = (member: ProcessConfig, key: string) => ({
    line: lineOf(sources, member, key),
    section: member.name,
    key,
  });
  if (sources.sections.has(name)) {
    const first = inFileOrder[0]!;
    sink.error(
      where(first, 'group'),
      `group '${name}' has the name of the section [${name}] (line ${sources.sections.get(name)!.line}): give the group or the section another name`,
    );
  }
  const fileOrder = new Map(inFileOrder.map((p, i) => [p, i]));
  const members = [...inFileOrder].sort(
    (a, b) => a.order - b.order || (fileOrder.get(a) ?? 0) - (fileOrder.get(b) ?? 0),
  );
  const first = members[0]!;
  const hosts = first.candidates.map((c) => c.host);
  for (const member of members.slice(1)) {
    const own = member.candidates.map((c) => c.host);
    if (!isDeepStrictEqual(own, hosts)) {
      const key = own[0] === hosts[0] ? 'stand_by_list' : 'host';
      sink.error(
        where(member, key),
        `member of group '${name}' with candidate hosts ${own.join(', ')}; the group runs on one host at a time, so every member needs the same hosts in the same order as [${first.name}]: ${hosts.join(', ')}`,
      );
    }
    if (member.transport !== first.transport) {
      sink.error(
        where(member, 'transport'),
        `member of group '${name}' with transport ${member.transport}; every member needs the transport of [${first.name}] (${first.transport})`,
      );
    }
  }
  const owners = new Map<string, ProcessConfig>();
  for (const resource of SHARED) {
    let owner: ProcessConfig | undefined;
    for (const member of members) {
      const value = resource.value(member, sources);
      if (value === undefined) continue;
      if (owner && !isDeepStrictEqual(resource.value(owner, sources), value)) {
        sink.error(
          where(member, resource.key),
          `set on [${owner.name}] and [${member.name}] of group '${name}' with different values; it belongs to the whole group: set it on one member`,
        );
      }
      owner ??= member;
    }
    if (owner) owners.set(resource.key, owner);
  }
  warnIgnoredPolicy(name, first, members, sources, sink);
  if (sink.errorCount > errorsBefore) return null;
  return makeUnit(name, members, owners);
}

/** The unit itself: the first member's policy, the group's resources, the members' hosts. */
function makeUnit(name: string, members: ProcessConfig[], owners: Map<string, ProcessConfig>): ProcessConfig {
  const first = members[0]!;
  const fenceOwner = owners.get('fence');
  const hooks = { ...first.hooks };
  for (const [key, field] of Object.entries(HOOK_FIELDS) as Array<[string, keyof Hooks]>) {
    hooks[field] = owners.get(key)?.hooks[field] ?? [];
  }
  const steps = members.map((m) => m.name).join(' → ');
  const candidates: Candidate[] = first.candidates.map((c) => {
    const fence = fenceOwner?.candidates.find((f) => f.host === c.host)?.commands.fence;
    return {
      host: c.host,
      rank: c.rank,
      transport: c.transport,
      commands: {
        start: `group ${name}: start ${steps}`,
        stop: `group ${name}: stop ${[...members]
          .reverse()
          .map((m) => m.name)
          .join(' → ')}`,
        test: `group ${name}: test ${members.map((m) => m.name).join(', ')}`,
        ...(fence !== undefined ? { fence } : {}),
      },
    };
  });
  const vip = owners.get('vip')?.vip;
  const hostsEntry = owners.get('hosts_entry')?.hostsEntry;
  const policy: ProcessConfig = { ...first };
  delete policy.vip;
  delete policy.hostsEntry;
  delete policy.group;
  return {
    ...policy,
    name,
    candidates,
    hooks,
    testTimeoutMs: Math.max(...members.map((m) => m.testTimeoutMs)),
    startTimeoutMs: members.reduce((sum, m) => sum + m.startTimeoutMs, 0),
    stopTimeoutMs: members.reduce((sum, m) => sum + m.stopTimeoutMs, 0),
    ...(vip ? { vip } : {}),
    ...(hostsEntry ? { hostsEntry } : {}),
    ...(fenceOwner?.fencing ? { fencing: fenceOwner.fencing } : {}),
    members,
  };
}

/** Warns about a policy key a later member sets to another value than the first member's: it has no effect. */
function warnIgnoredPolicy(
  name: string,
  first: ProcessConfig,
  members: ProcessConfig[],
  sources: GroupSources,
  sink: DiagnosticSink,
): void {
  for (const member of members.slice(1)) {
    const section = sources.sections.get(member.name);
    for (const [key, field] of POLICY_KEYS) {
      const entry = section?.entries.get(key);
      if (!entry || isDeepStrictEqual(member[field], first[field])) continue;
      sink.warn(
        { line: entry.line, section: member.name, key },
        `ignored: group '${name}' takes its policy from its first member [${first.name}]; set it there`,
      );
    }
  }
}

/** The fence of a member as written (its template, as [DEFAULT] gives it to all) and its settings. */
function fenceOf(p: ProcessConfig, sources: GroupSources): unknown {
  const entry = sources.sections.get(p.name)?.entries.get('fence') ?? sources.defaults?.entries.get('fence');
  return entry ? { template: entry.value, settings: p.fencing } : undefined;
}

/** The line of `key` (or its first numbered step, for hooks) in the member's section, else [DEFAULT], else the header. */
function lineOf(sources: GroupSources, member: ProcessConfig, key: string): number {
  const find = (section: RawSection | null | undefined) =>
    [...(section?.entries.values() ?? [])].find((e) => e.key === key || e.key.startsWith(`${key}.`));
  const section = sources.sections.get(member.name);
  return (find(section) ?? find(sources.defaults))?.line ?? member.source.line;
}
