/**
 * Reads `vip` and `vip_interface`: an address with its prefix length, and the
 * interface it goes on, rendered per candidate host like the commands (so
 * `vip_interface = %(host)s-lan` or `@LAN_IF@` work) and validated strictly.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { parseOneTemplate, type TemplateValues } from './build-commands.js';
import type { VipConfig } from './model.js';
import type { SectionReader } from './section-reader.js';
import { renderTemplate } from './template.js';

/** Linux interface names: 1–15 characters, no '/', whitespace or ':'-less aliases; no leading '-'. */
const INTERFACE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}$/;

export const VIP_FORMS = {
  vip: 'an IPv4 or IPv6 address with its prefix length, e.g. 192.0.2.10/24 or 2001:db8::10/64 (not loopback, multicast, link-local or unspecified)',
  vipInterface: 'a network interface name (1-15 of letters, digits, _ . @ -, not starting with -)',
} as const;

/** Parses `ADDR/LEN` into a VIP address, or null when it is not one a host may take over. */
export function parseVipAddress(text: string): Omit<VipConfig, 'interfaces'> | null {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
  if (!match) return null;
  const [, raw, lengthText] = match as unknown as [string, string, string];
  const prefixLength = Number(lengthText);
  if (isIPv4(raw)) {
    if (prefixLength < 1 || prefixLength > 32) return null;
    const first = Number(raw.split('.')[0]);
    if (first === 0 || first === 127 || first >= 224 || raw.startsWith('169.254.')) return null;
    return { cidr: `${raw}/${prefixLength}`, address: raw, prefixLength, family: 4 };
  }
  if (isIPv6(raw)) {
    if (prefixLength < 1 || prefixLength > 128) return null;
    const address = new URL(`http://[${raw}]/`).hostname.slice(1, -1);
    // unspecified, loopback, multicast (ff00::/8) and link-local (fe80::/10) cannot move between hosts
    if (address === '::' || address === '::1' || /^(?:ff|fe[89ab])/.test(address)) return null;
    return { cidr: `${address}/${prefixLength}`, address, prefixLength, family: 6 };
  }
  return null;
}

/** True for a valid interface name. */
export function isInterfaceName(text: string): boolean {
  return INTERFACE_RE.test(text);
}

/** Reads the VIP keys of a section; undefined when `vip` is unset or invalid (errors are in the sink). */
export function readVip(
  r: SectionReader,
  values: TemplateValues,
  hosts: Array<{ host: string; rank: number }>,
): VipConfig | undefined {
  const vipEntry = r.entry('vip');
  const interfaceEntry = r.entry('vip_interface');
  if (!vipEntry) {
    if (interfaceEntry)
      r.fail(interfaceEntry, 'vip_interface is set but vip is not: set vip = ADDRESS/PREFIX');
    return undefined;
  }
  const text = r.text('vip');
  const address = text === undefined ? null : parseVipAddress(text);
  if (text !== undefined && address === null) r.fail(vipEntry, `expected ${VIP_FORMS.vip}, got '${text}'`);
  if (!interfaceEntry) {
    r.ctx.sink.error(
      { line: vipEntry.line, section: r.section.name, key: 'vip_interface' },
      'required with vip: the interface the address goes on, e.g. vip_interface = eth0',
    );
    return undefined;
  }
  const template = parseOneTemplate(r, interfaceEntry, values);
  if (!template || !address) return undefined;
  const interfaces: Record<string, string> = {};
  for (const { host, rank } of hosts) {
    const name = renderTemplate(template, { ...values, host, rank: String(rank) } as Record<string, string>);
    if (!isInterfaceName(name)) {
      r.fail(interfaceEntry, `expected ${VIP_FORMS.vipInterface} for host ${host}, got '${name}'`);
      return undefined;
    }
    interfaces[host] = name;
  }
  return { ...address, interfaces };
}
