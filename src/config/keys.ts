/** The keys ha_valet.cfg knows: per-section keys, global keys, hook keys and accepted aliases. */

/** Keys that say where and how a section's commands run (processes and jobs alike). */
const REMOTE_KEYS = [
  'stand_by_list',
  'transport',
  'ssh_port',
  'ssh_user',
  'ssh_key',
  'ssh_known_hosts',
  'ssh_verify_host_key',
  'ssh_runner',
  'connect_timeout',
] as const;

/** Keys of a process section (also allowed in [DEFAULT] as defaults for every section). */
export const SECTION_KEYS = [
  'host',
  'user',
  'port',
  'protocol',
  'start',
  'stop',
  'test',
  'test_send',
  'test_expect',
  'expect_status',
  'tls_verify',
  'tls_ca',
  'order',
  'priority',
  'group',
  ...REMOTE_KEYS,
  'test_timeout',
  'start_timeout',
  'stop_timeout',
  'check_count',
  'max_restarts',
  'restart_window',
  'given_up_retry',
  'min_uptime',
  'backoff_initial',
  'backoff_max',
  'failback',
  'failback_delay',
  'priority_wait',
  'latch',
  'hook_timeout',
  'vip',
  'vip_interface',
  'hosts_entry',
  'hosts_clients',
  'hosts_file',
  'fence',
  'fence_timeout',
  'fence_required',
] as const;

/** Keys only a job section has (a section with `run` is a job; issue 15). */
export const JOB_ONLY_KEYS = [
  'run',
  'every',
  'schedule',
  'with',
  'timeout',
  'overlap',
  'catch_up',
  'warn_after',
  'sticky',
] as const;

/** Keys a job section shares with process sections. */
export const JOB_SHARED_KEYS = ['host', 'user', 'port', 'protocol', ...REMOTE_KEYS] as const;

/** The etcd settings (warned about when `coordination = local`). */
export const ETCD_KEYS = [
  'etcd_endpoints',
  'etcd_prefix',
  'lease_ttl',
  'etcd_ca_file',
  'etcd_cert_file',
  'etcd_key_file',
  'etcd_username',
  'etcd_password_file',
] as const;

/** The observer-quorum settings (warned about when `coordination = local`: one watcher is the quorum). */
export const QUORUM_KEYS = ['quorum', 'observation_max_age'] as const;

/** Keys only [DEFAULT] may hold: settings of the whole file. */
export const GLOBAL_KEYS = ['state_dir', 'interval', 'coordination', ...ETCD_KEYS, ...QUORUM_KEYS] as const;

/** Hook lists: `name = cmd` for one step, `name.1 = …`, `name.2 = …` for several. */
export const HOOK_KEYS = [
  'before_failover',
  'after_failover',
  'on_failed',
  'on_given_up',
  'on_split_brain',
] as const;

export type HookKey = (typeof HOOK_KEYS)[number];

/** Other spellings accepted for a key; the value is the canonical key. */
export const KEY_ALIASES: Record<string, string> = {
  start_command: 'start',
  stop_command: 'stop',
  test_command: 'test',
  standy_by_list: 'stand_by_list',
};

/** Aliases that are misspellings: accepted, with a warning. */
export const MISSPELLED_KEYS = new Set(['standy_by_list']);

const SECTION_KEY_SET = new Set<string>(SECTION_KEYS);
const JOB_ONLY_KEY_SET = new Set<string>(JOB_ONLY_KEYS);
const JOB_KEY_SET = new Set<string>([...JOB_ONLY_KEYS, ...JOB_SHARED_KEYS]);
const GLOBAL_KEY_SET = new Set<string>(GLOBAL_KEYS);
const HOOK_KEY_SET = new Set<string>(HOOK_KEYS);
const HOOK_PREFIX_RE = /^(?:before_|after_|on_)/;
const HOOK_KEY_RE = /^([a-z_]+)(?:\.(\d{1,4}))?$/;

/** An UPPERCASE key in [DEFAULT] is a value for the @NAME@ placeholder of that name. */
export const DEFINE_NAME_RE = /^[A-Z][A-Z0-9_]*$/;

/** Maps a written key to its canonical name (aliases resolved; hook indexes normalised). */
export function canonicalKey(written: string): string {
  const alias = KEY_ALIASES[written];
  if (alias) return alias;
  if (!HOOK_PREFIX_RE.test(written)) return written;
  const hook = HOOK_KEY_RE.exec(written);
  if (hook?.[2] !== undefined && HOOK_KEY_SET.has(hook[1] ?? '')) return `${hook[1]}.${Number(hook[2])}`;
  return written;
}

/** Splits a canonical hook key into its hook name and step index (0 = the one-step form), or null. */
export function splitHookKey(key: string): { hook: HookKey; index: number } | null {
  if (!HOOK_PREFIX_RE.test(key)) return null;
  const match = HOOK_KEY_RE.exec(key);
  if (!match || !HOOK_KEY_SET.has(match[1] ?? '')) return null;
  return { hook: match[1] as HookKey, index: match[2] === undefined ? 0 : Number(match[2]) };
}

/** True for a key a process section may hold. */
export function isSectionKey(key: string): boolean {
  return SECTION_KEY_SET.has(key) || splitHookKey(key) !== null;
}

/** True for a key a job section may hold. */
export function isJobKey(key: string): boolean {
  return JOB_KEY_SET.has(key);
}

/** True for a key only job sections use (allowed in [DEFAULT] as a default for every job). */
export function isJobOnlyKey(key: string): boolean {
  return JOB_ONLY_KEY_SET.has(key);
}

/** True for a key only [DEFAULT] may hold. */
export function isGlobalKey(key: string): boolean {
  return GLOBAL_KEY_SET.has(key);
}

/** The known key nearest to a mistyped one (edit distance <= 2), for "did you mean" hints. */
export function suggestKey(written: string): string | null {
  const candidates = [
    ...SECTION_KEYS,
    ...JOB_ONLY_KEYS,
    ...GLOBAL_KEYS,
    ...HOOK_KEYS,
    ...Object.keys(KEY_ALIASES),
  ];
  let best: string | null = null;
  let bestDistance = 3;
  const lower = written.toLowerCase();
  for (const key of candidates) {
    const distance = lower === key ? 0 : editDistance(lower, key);
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance of two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
