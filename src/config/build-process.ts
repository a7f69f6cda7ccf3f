/** Builds one ProcessConfig from a section (with [DEFAULT] as fallback), reporting every problem. */
import { buildHooks } from './build-hooks.js';
import { readHostsEntry } from './build-hosts-entry.js';
import { readVip } from './build-vip.js';
import { readFence, renderFence } from './build-fence.js';
import { parseCommandTemplates, renderCommands, type TemplateValues } from './build-commands.js';
import type { Candidate, ProcessConfig, SshSettings, Transport } from './model.js';
import { buildNativeTest, readNativeTestOptions } from './native-test.js';
import { SECTION_NAME_RE, type RawSection } from './read-sections.js';
import { SectionReader, type ReaderContext } from './section-reader.js';
import { FORMS, parseHost, parsePort, parseProtocol, parseUser, splitList } from './values.js';

export const TRANSPORTS = ['local', 'ssh'] as const;

/** Builds the process of one section, or null when it has errors (they are in the sink). */
export function buildProcess(
  section: RawSection,
  defaults: RawSection | null,
  position: number,
  ctx: ReaderContext,
): ProcessConfig | null {
  const errorsBefore = countErrors(ctx);
  const r = new SectionReader(section, defaults, ctx);

  const host = r.parsed('host', parseHost, FORMS.host);
  if (!r.entry('host')) {
    ctx.sink.error({ line: section.line, section: section.name, key: 'host' }, 'required key is missing');
  }
  const user = r.parsed('user', parseUser, FORMS.user);
  const port = r.parsed('port', parsePort, FORMS.port);
  const protocol = r.parsed('protocol', parseProtocol, FORMS.protocol);
  const order = r.integer('order', position);
  const priority = r.integer('priority', 1, 1);
  const standBy = readStandByList(r);
  const transport: Transport = r.choice('transport', TRANSPORTS, 'local');
  const ssh = readSsh(r, user);

  const values: TemplateValues = { process: section.name, priority: String(priority), order: String(order) };
  if (user !== undefined) values.user = user;
  if (port !== undefined) values.port = String(port);
  if (protocol !== undefined) values.protocol = protocol;
  values.ssh_port = String(ssh.port);
  if (ssh.user !== undefined && r.entry('ssh_user')) values.ssh_user = ssh.user;
  const templates = parseCommandTemplates(r, values);
  const native = readNativeTestOptions(r);

  const hookTimeoutMs = r.duration('hook_timeout', 30_000);
  const timing = {
    testTimeoutMs: r.duration('test_timeout', 10_000),
    startTimeoutMs: r.duration('start_timeout', 30_000),
    stopTimeoutMs: r.duration('stop_timeout', 30_000),
    checkCount: r.integer('check_count', 1, 1),
    maxRestarts: r.integer('max_restarts', 10, 1),
    restartWindowMs: r.duration('restart_window', 150_000),
    givenUpRetryMs: r.duration('given_up_retry', 600_000, { allowNever: true }),
    minUptimeMs: r.duration('min_uptime', 1_000, { minMs: 0 }),
    backoffInitialMs: r.duration('backoff_initial', 1_000),
    backoffMaxMs: r.duration('backoff_max', 10_000),
    failback: r.bool('failback', false),
    failbackDelayMs: r.duration('failback_delay', 30_000, { minMs: 0 }),
    priorityWaitMs: r.duration('priority_wait', 20_000, { minMs: 0 }),
    latch: r.bool('latch', false),
  };
  const backoffMax = r.entry('backoff_max');
  if (backoffMax && timing.backoffMaxMs < timing.backoffInitialMs) {
    r.fail(
      backoffMax,
      `expected a duration >= backoff_initial (${timing.backoffInitialMs} ms), got '${backoffMax.value}'`,
    );
  }
  const hooks = buildHooks(r, hookTimeoutMs);
  const hostsInOrder = host === undefined ? [] : [...new Set([host, ...(standBy ?? [])])];
  const vip = readVip(
    r,
    values,
    hostsInOrder.map((h, index) => ({ host: h, rank: index + 1 })),
  );
  const hostsEntry = readHostsEntry(r, hostsInOrder);
  const fence = readFence(r, values);
  const group = readGroupName(r);

  if (countErrors(ctx) > errorsBefore || host === undefined || templates === null) return null;
  const candidates: Candidate[] = hostsInOrder.map((candidateHost, index) => {
    const commands = {
      ...renderCommands(templates, values, candidateHost, index + 1),
      ...(fence.template ? { fence: renderFence(fence.template, values, candidateHost, index + 1) } : {}),
    };
    const nativeTest = native ? buildNativeTest(r, native, commands.test) : undefined;
    return {
      host: candidateHost,
      rank: index + 1,
      transport,
      commands,
      ...(nativeTest ? { nativeTest } : {}),
    };
  });
  if (countErrors(ctx) > errorsBefore) return null;
  return {
    name: section.name,
    source: { file: ctx.sink.file, line: section.line },
    host,
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    priority,
    order,
    candidates,
    transport,
    ssh,
    ...timing,
    hooks,
    ...(vip ? { vip } : {}),
    ...(hostsEntry ? { hostsEntry } : {}),
    fencing: fence.settings,
    ...(group !== undefined ? { group } : {}),
  };
}

/** Reads `group` (a group name has the form of a section name): the name of the group this section belongs to (src/config/build-group.ts). */
function readGroupName(r: SectionReader): string | undefined {
  return r.parsed(
    'group',
    (text) => (SECTION_NAME_RE.test(text) ? text : null),
    'a group name (letters, digits, _ . -; up to 64 characters, not starting with . or -)',
  );
}

/** Reads `stand_by_list`: a comma-separated list of valid host names. */
export function readStandByList(r: SectionReader): string[] | undefined {
  const text = r.text('stand_by_list');
  const entry = r.entry('stand_by_list');
  if (text === undefined || !entry) return undefined;
  const items = splitList(text);
  if (!items) {
    r.fail(entry, `expected a comma-separated list of hosts without empty items, got '${text}'`);
    return undefined;
  }
  const bad = items.filter((item) => parseHost(item) === null);
  if (bad.length > 0) {
    r.fail(entry, `expected ${FORMS.host} for each item, got '${bad.join("', '")}'`);
    return undefined;
  }
  return items;
}

/** Reads the SSH settings (used when transport = ssh). */
export function readSsh(r: SectionReader, user: string | undefined): SshSettings {
  const sshUser = r.parsed('ssh_user', parseUser, FORMS.user);
  const keyFile = r.filePath('ssh_key');
  const knownHostsFile = r.filePath('ssh_known_hosts');
  const effectiveUser = sshUser ?? user;
  return {
    port: r.parsed('ssh_port', parsePort, FORMS.port) ?? 22,
    ...(effectiveUser !== undefined ? { user: effectiveUser } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    ...(knownHostsFile !== undefined ? { knownHostsFile } : {}),
    verifyHostKey: r.bool('ssh_verify_host_key', true),
    runner: r.bool('ssh_runner', true),
    connectTimeoutMs: r.duration('connect_timeout', 5_000),
  };
}

/** Number of errors recorded so far. */
function countErrors(ctx: ReaderContext): number {
  return ctx.sink.errorCount;
}
