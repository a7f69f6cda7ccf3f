/**
 * Reads `hosts_entry`, `hosts_clients` and `hosts_file`: the name whose line
 * ha-valet keeps pointing at the active host in each client's hosts file.
 */
import { isIP } from 'node:net';
import type { HostsEntryConfig } from './model.js';
import type { SectionReader } from './section-reader.js';
import { FORMS, parseHost, splitList } from './values.js';

const ABSOLUTE_PATH_RE = /^\/[A-Za-z0-9_.@+,/-]*$/;

/** Reads the hosts-entry keys; undefined when `hosts_entry` is unset or a value is invalid. */
export function readHostsEntry(r: SectionReader, candidates: string[]): HostsEntryConfig | undefined {
  const nameEntry = r.entry('hosts_entry');
  if (!nameEntry) {
    for (const key of ['hosts_clients', 'hosts_file']) {
      const entry = r.entry(key);
      if (entry) r.fail(entry, `${key} is set but hosts_entry is not: set hosts_entry = NAME`);
    }
    return undefined;
  }
  const name = r.text('hosts_entry');
  let ok = name !== undefined;
  if (name !== undefined && (parseHost(name) === null || isIP(name) !== 0)) {
    r.fail(
      nameEntry,
      `expected a host name to look up (letters, digits, - and _ in dot-separated labels), got '${name}'`,
    );
    ok = false;
  }
  const clients = readClients(r);
  if (!clients) ok = false;
  const file = r.text('hosts_file') ?? '/etc/hosts';
  const fileEntry = r.entry('hosts_file');
  if (fileEntry && !ABSOLUTE_PATH_RE.test(file)) {
    r.fail(fileEntry, `expected an absolute path of letters, digits and _ . @ + , / -, got '${file}'`);
    ok = false;
  }
  const named = candidates.filter((host) => isIP(host) === 0);
  if (named.length > 0) {
    r.fail(
      nameEntry,
      `needs every candidate host to be an IP address (the line written is 'ADDRESS ${name ?? 'NAME'}'), got '${named.join("', '")}'`,
    );
    ok = false;
  }
  return ok && name !== undefined && clients ? { name, clients, file } : undefined;
}

/** `hosts_clients`: required, a comma-separated list of hosts. */
function readClients(r: SectionReader): string[] | undefined {
  const entry = r.entry('hosts_clients');
  if (!entry) {
    r.ctx.sink.error(
      { line: r.entry('hosts_entry')!.line, section: r.section.name, key: 'hosts_clients' },
      'required with hosts_entry: the client hosts whose hosts file gets the line, e.g. hosts_clients = app1,app2',
    );
    return undefined;
  }
  const text = r.text('hosts_clients');
  const items = text === undefined ? null : splitList(text);
  const bad = (items ?? []).filter((item) => parseHost(item) === null);
  if (text !== undefined && (!items || bad.length > 0)) {
    r.fail(entry, `expected a comma-separated list of hosts, each ${FORMS.host}, got '${text}'`);
    return undefined;
  }
  return items ? [...new Set(items)] : undefined;
}
