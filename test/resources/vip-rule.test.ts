/** The pure VIP rule and the reading of `ip -o addr show`: (status, active host, holders) → steps. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/load-config.js';
import { parseVipAddress } from '../../src/config/build-vip.js';
import type { VipConfig } from '../../src/config/model.js';
import {
  addAndAnnounceCommand,
  addCommand,
  announceCommand,
  devicesHolding,
  removeCommand,
  showCommand,
} from '../../src/resources/vip-commands.js';
import type { VipHolding } from '../../src/resources/vip-holding.js';
import { planVip } from '../../src/resources/vip-rule.js';

const IFS = { A: 'eth0', B: 'eth1', C: 'eth0' };
const held = (host: string, ...devices: string[]): VipHolding => ({
  host,
  kind: 'held',
  devices: devices.length > 0 ? devices : ['eth0'],
});
const absent = (host: string): VipHolding => ({ host, kind: 'absent', devices: [] });
const unknown = (host: string): VipHolding => ({
  host,
  kind: 'unknown',
  devices: [],
  reason: 'connect timeout',
});
const brief = (steps: ReturnType<typeof planVip>['steps']): string[] =>
  steps.map((s) => `${s.type === 'vip-add' ? 'add' : 'remove'} ${s.host} ${s.device}`);

describe('planVip', () => {
  const cases: Array<{
    name: string;
    status: Parameters<typeof planVip>[0];
    active: string | null;
    holdings: VipHolding[];
    steps: string[];
    expected: string | null;
    problem?: RegExp;
  }> = [
    {
      name: 'up and held by the active host only: nothing to do',
      status: 'up',
      active: 'A',
      holdings: [held('A'), absent('B'), absent('C')],
      steps: [],
      expected: 'A',
    },
    {
      name: 'after a failover: removed from the old host first, then added on the new one (its own interface)',
      status: 'up',
      active: 'B',
      holdings: [held('A'), absent('B'), absent('C')],
      steps: ['remove A eth0', 'add B eth1'],
      expected: 'B',
    },
    {
      name: 'missing on the active host: added back',
      status: 'up',
      active: 'C',
      holdings: [absent('A'), absent('B'), absent('C')],
      steps: ['add C eth0'],
      expected: 'C',
    },
    {
      name: 'VIP split brain: every holder but the active one loses it, on every device it sits on',
      status: 'up',
      active: 'A',
      holdings: [held('A'), held('B', 'eth1', 'eth2'), held('C')],
      steps: ['remove B eth1', 'remove B eth2', 'remove C eth0'],
      expected: 'A',
    },
    {
      name: 'an unreachable old holder is reported; the active host still gets the address',
      status: 'up',
      active: 'B',
      holdings: [unknown('A'), absent('B'), absent('C')],
      steps: ['add B eth1'],
      expected: 'B',
      problem: /A could not be checked \(connect timeout\)/,
    },
    {
      name: 'the active host cannot be checked: no add, reported',
      status: 'up',
      active: 'B',
      holdings: [absent('A'), unknown('B')],
      steps: [],
      expected: 'B',
      problem: /active host B could not be checked/,
    },
    {
      name: 'split brain of the service: the address follows the host kept',
      status: 'split-brain',
      active: 'A',
      holdings: [absent('A'), held('B')],
      steps: ['remove B eth0', 'add A eth0'],
      expected: 'A',
    },
    {
      name: 'failed (no host could start it): nobody keeps the address',
      status: 'failed',
      active: 'A',
      holdings: [held('A'), absent('B')],
      steps: ['remove A eth0'],
      expected: null,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planVip(c.status, c.active, c.holdings, IFS);
      assert.deepEqual(brief(plan.steps), c.steps);
      assert.equal(plan.expectedHost, c.expected);
      assert.equal(plan.acting, true);
      if (c.problem) assert.match(plan.problem ?? '', c.problem);
      else assert.equal(plan.problem, null);
    });
  }
  for (const status of ['maintenance', 'latched', 'given-up', 'waiting', 'unknown', 'down'] as const) {
    test(`${status}: ha-valet leaves the address where it is`, () => {
      const plan = planVip(status, 'A', [absent('A'), held('B')], IFS);
      assert.deepEqual(plan.steps, []);
      assert.equal(plan.acting, false);
    });
  }
});

describe('VIP commands', () => {
  const vip4: VipConfig = { ...parseVipAddress('10.0.0.50/24')!, interfaces: { A: 'eth0' } };
  const vip6: VipConfig = { ...parseVipAddress('2001:DB8:0::50/64')!, interfaces: { A: 'eth0' } };

  test('the address is held on the devices `ip -o addr show to` lists, by family and exact address', () => {
    const output = [
      '2: eth0    inet 10.0.0.50/24 scope global eth0\\       valid_lft forever preferred_lft forever',
      '3: eth1@if9    inet 10.0.0.50/32 scope global eth1\\       valid_lft forever preferred_lft forever',
      '4: eth2    inet 10.0.0.5/24 scope global eth2\\       valid_lft forever preferred_lft forever',
      '5: eth3    inet 10.0.0.500/24 scope global eth3',
    ].join('\n');
    assert.deepEqual(devicesHolding(vip4, output), ['eth0', 'eth1']);
    assert.deepEqual(devicesHolding(vip4, ''), []);
    const v6 =
      '2: eth0    inet6 2001:db8::50/64 scope global \\       valid_lft forever preferred_lft forever';
    assert.deepEqual(devicesHolding(vip6, v6), ['eth0']);
    assert.deepEqual(devicesHolding(vip4, v6), []);
  });

  test('IPv6 is kept in canonical form; commands quote every value', () => {
    assert.equal(vip6.cidr, '2001:db8::50/64');
    assert.equal(showCommand(vip4), "ip -o -4 addr show to '10.0.0.50/32'");
    assert.equal(addCommand(vip4, 'eth0'), "ip addr replace '10.0.0.50/24' dev 'eth0'");
    assert.equal(removeCommand(vip4, 'eth0'), "ip addr del '10.0.0.50/24' dev 'eth0'");
    assert.equal(addCommand(vip6, 'eth0'), "ip -6 addr replace '2001:db8::50/64' dev 'eth0' nodad");
    assert.equal(removeCommand(vip6, 'eth0'), "ip addr del '2001:db8::50/64' dev 'eth0'");
  });

  test('an add carries its announcement: gratuitous ARP, or a neighbour advertisement from na6', () => {
    assert.equal(
      addAndAnnounceCommand(vip4, 'eth0'),
      `{ ${addCommand(vip4, 'eth0')}; } || exit 10; { ${announceCommand(vip4, 'eth0')}; } || exit 11`,
    );
    assert.equal(
      announceCommand(vip6, 'eth0'),
      "na6 -i 'eth0' -s '2001:db8::50' -d ff02::1 -t '2001:db8::50' -o -e >/dev/null",
    );
    const v6 = addAndAnnounceCommand(vip6, 'eth0');
    assert.ok(
      v6.startsWith(
        `if command -v na6 >/dev/null 2>&1; then { ${addCommand(vip6, 'eth0')}; } || exit 10; ` +
          `{ ${announceCommand(vip6, 'eth0')}; } || exit 11; else `,
      ),
      v6,
    );
    // Without na6: added with DAD (no nodad), ndisc_notify on, so the kernel advertises it after DAD.
    assert.ok(
      v6.endsWith(
        "else { echo 1 > '/proc/sys/net/ipv6/conf/eth0/ndisc_notify'; } 2>/dev/null; " +
          "{ ip -6 addr replace '2001:db8::50/64' dev 'eth0'; } || exit 10; exit 12; fi",
      ),
      v6,
    );
  });

  test('addresses no host can take over are refused', () => {
    for (const bad of [
      '10.0.0.50',
      '10.0.0.50/33',
      '127.0.0.2/8',
      '0.0.0.0/8',
      '224.0.0.5/4',
      '::1/128',
      'fe80::5/64',
      'ff02::1/16',
      'x/24',
    ])
      assert.equal(parseVipAddress(bad), null, bad);
  });
});

test('a section with vip and a per-host vip_interface loads', () => {
  const text = [
    '[Db]',
    'host = a',
    'stand_by_list = a,b',
    'vip = 10.0.0.50/24',
    'vip_interface = lan-%(host)s',
    'start = ./svc start',
    'stop = ./svc stop',
    'test = ./svc status',
    '',
  ].join('\n');
  const { config } = parseConfigText(text, 'vip.cfg', { env: {} });
  assert.ok(config);
  assert.deepEqual(config.processes[0]!.vip, {
    cidr: '10.0.0.50/24',
    address: '10.0.0.50',
    prefixLength: 24,
    family: 4,
    interfaces: { a: 'lan-a', b: 'lan-b' },
  });
});
