/** Builds the settings of the whole file from [DEFAULT]: state dir, interval, coordination. */
import type { CoordinationSettings, EtcdSettings, GlobalSettings } from './model.js';
import type { RawSection } from './read-sections.js';
import { SectionReader, type ReaderContext } from './section-reader.js';
import { ETCD_KEYS, QUORUM_KEYS } from './keys.js';
import { parseHost, parsePort, splitList } from './values.js';

const BACKENDS = ['local', 'etcd'] as const;
const ENDPOINT_RE = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\s]+):(\d+)\/?$/;

/** Builds the global settings; `defaults` is the [DEFAULT] section, if any. */
export function buildGlobal(defaults: RawSection | null, ctx: ReaderContext): GlobalSettings {
  const empty: RawSection = { name: 'DEFAULT', line: 1, dialect: 'ini', entries: new Map(), usable: true };
  const r = new SectionReader(defaults ?? empty, null, ctx);
  const stateDir = r.filePath('state_dir');
  const intervalMs = r.duration('interval', 5_000);
  const backend = r.choice('coordination', BACKENDS, 'local');
  const coordination: CoordinationSettings =
    backend === 'etcd' ? { backend: 'etcd', etcd: readEtcd(r) } : warnUnusedEtcd(r);
  const quorum = readQuorum(r, backend === 'etcd');
  return { ...(stateDir !== undefined ? { stateDir } : {}), intervalMs, coordination, ...quorum };
}

/** Reads `quorum` (an integer >= 1) and `observation_max_age`; both only matter with etcd. */
function readQuorum(r: SectionReader, etcd: boolean): Pick<GlobalSettings, 'quorum' | 'observationMaxAgeMs'> {
  if (!etcd) {
    for (const key of QUORUM_KEYS) {
      const entry = r.entry(key);
      if (entry)
        r.ctx.sink.warn(
          r.where(entry),
          "has no effect unless 'coordination = etcd' (one watcher is the quorum)",
        );
    }
  }
  const quorum = r.entry('quorum') ? r.integer('quorum', 0, 1) : 0;
  const maxAge = r.entry('observation_max_age') ? r.duration('observation_max_age', 0) : 0;
  return {
    ...(quorum > 0 ? { quorum } : {}),
    ...(maxAge > 0 ? { observationMaxAgeMs: maxAge } : {}),
  };
}

/** Reads the etcd settings; `etcd_endpoints` is required with `coordination = etcd`. */
function readEtcd(r: SectionReader): EtcdSettings {
  const endpoints = readEndpoints(r);
  const coordination = r.entry('coordination');
  if (!r.entry('etcd_endpoints') && coordination) {
    r.fail(coordination, "'coordination = etcd' needs 'etcd_endpoints = http://HOST:PORT[,…]'");
  }
  let prefix = r.text('etcd_prefix') ?? '/ha-valet/';
  const prefixEntry = r.entry('etcd_prefix');
  if (prefixEntry && !prefix.startsWith('/')) {
    r.fail(prefixEntry, `expected a key prefix starting with '/', got '${prefix}'`);
  }
  if (!prefix.endsWith('/')) prefix += '/';
  const leaseTtlMs = r.duration('lease_ttl', 10_000, { minMs: 2_000 });
  const caFile = r.filePath('etcd_ca_file');
  const certFile = r.filePath('etcd_cert_file');
  const keyFile = r.filePath('etcd_key_file');
  const username = r.text('etcd_username');
  const passwordFile = r.filePath('etcd_password_file');
  const passwordEntry = r.entry('etcd_password_file');
  if (passwordEntry && username === undefined) {
    r.fail(passwordEntry, "'etcd_password_file' needs 'etcd_username'");
  }
  const settings: EtcdSettings = { endpoints, prefix, leaseTtlMs };
  if (caFile || certFile || keyFile) {
    settings.tls = {
      ...(caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
    };
  }
  if (username !== undefined) settings.auth = { username, ...(passwordFile ? { passwordFile } : {}) };
  return settings;
}

/** Reads `etcd_endpoints`: a comma list of http(s)://host:port. */
function readEndpoints(r: SectionReader): string[] {
  const text = r.text('etcd_endpoints');
  const entry = r.entry('etcd_endpoints');
  if (text === undefined || !entry) return [];
  const items = splitList(text);
  const bad = (items ?? [text]).filter((item) => !isEndpoint(item));
  if (!items || bad.length > 0) {
    r.fail(
      entry,
      `expected a comma-separated list of http(s)://HOST:PORT, got '${bad.join("', '") || text}'`,
    );
    return [];
  }
  return items;
}

/** True for http(s)://host:port with a valid host and port. */
function isEndpoint(text: string): boolean {
  const match = ENDPOINT_RE.exec(text);
  if (!match) return false;
  const host = (match[2] ?? '').replace(/^\[|\]$/g, '');
  return parseHost(host) !== null && parsePort(match[3] ?? '') !== null;
}

/** With `coordination = local`, etcd keys have no effect: say so. */
function warnUnusedEtcd(r: SectionReader): CoordinationSettings {
  for (const key of ETCD_KEYS) {
    const entry = r.entry(key);
    if (entry) r.ctx.sink.warn(r.where(entry), "has no effect unless 'coordination = etcd'");
  }
  return { backend: 'local' };
}
