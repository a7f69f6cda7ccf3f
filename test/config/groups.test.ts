/** Groups in the config (issue 13): the unit a group becomes, and the errors that name FILE:LINE and key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { parseConfigText } from '../../src/config/load-config.js';

const member = (name: string, extra = '', hosts = 'A,B') => `[${name}]
host = ${hosts.split(',')[0]}
stand_by_list = ${hosts}
group = storage
start = start-${name} {host}
stop = stop-${name} {host}
test = test-${name} {host}
${extra}`;

/** The error and warning lines of a config text. */
function problems(text: string): string[] {
  return parseConfigText(text, 'g.cfg', { env: {} }).diagnostics.map(formatDiagnostic);
}

test('sections with the same group become one unit named after the group, members in order', () => {
  const text = [
    member('nfs', 'order = 40\nvip = 192.0.2.10/24\nvip_interface = eth0\n'),
    member('role', 'order = 10\ncheck_count = 2\n'),
    member('mount', 'order = 30\n'),
    member('pool', 'order = 20\n'),
    '[web]\nhost = A\nstart = s\nstop = t\ntest = u\norder = 25\n',
  ].join('\n');
  const { config, diagnostics } = parseConfigText(text, 'g.cfg', { env: {} });
  assert.ok(config, diagnostics.map(formatDiagnostic).join('\n'));
  assert.deepEqual(
    config.processes.map((p) => p.name),
    ['storage', 'web'],
  );
  const unit = config.processes[0]!;
  assert.deepEqual(
    unit.members?.map((m) => m.name),
    ['role', 'pool', 'mount', 'nfs'],
  );
  assert.deepEqual(
    unit.candidates.map((c) => c.host),
    ['A', 'B'],
  );
  assert.equal(unit.checkCount, 2, 'policy keys come from the first member (by order)');
  assert.equal(unit.vip?.cidr, '192.0.2.10/24', 'the VIP set on one member belongs to the group');
  assert.equal(unit.members?.[3]?.candidates[1]?.commands.start, 'start-nfs B');
  assert.equal(unit.members?.[0]?.group, 'storage');
});

test('members with other candidate hosts: an error at the member, naming the key', () => {
  const text = [member('role'), member('pool', '', 'A,C'), member('mount', '', 'B,A')].join('\n');
  const lines = problems(text);
  assert.ok(
    lines.some((l) => /^g\.cfg:11: section \[pool\] key 'stand_by_list': member of group 'storage'/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /^g\.cfg:18: section \[mount\] key 'host': .*same hosts in the same order/.test(l)),
    lines.join('\n'),
  );
});

test('a member with another transport: an error naming transport', () => {
  const lines = problems([member('role'), member('pool', 'transport = ssh\n')].join('\n'));
  assert.ok(
    lines.some((l) =>
      /^g\.cfg:16: section \[pool\] key 'transport': .*transport of \[role\] \(local\)/.test(l),
    ),
    lines.join('\n'),
  );
});

test('two members with different VIPs: an error at the second, naming both', () => {
  const text = [
    member('role', 'vip = 192.0.2.10/24\nvip_interface = eth0\n'),
    member('pool', 'vip = 192.0.2.11/24\nvip_interface = eth0\n'),
  ].join('\n');
  const lines = problems(text);
  assert.ok(
    lines.some((l) => /^g\.cfg:18: section \[pool\] key 'vip': set on \[role\] and \[pool\]/.test(l)),
    lines.join('\n'),
  );
});

test('a group named like a section: an error at the group key', () => {
  const text = [member('role'), '[storage]\nhost = A\nstart = s\nstop = t\ntest = u\n'].join('\n');
  const lines = problems(text);
  assert.ok(
    lines.some((l) =>
      /^g\.cfg:4: section \[role\] key 'group': group 'storage' has the name of the section \[storage\]/.test(
        l,
      ),
    ),
    lines.join('\n'),
  );
});

test('a bad group name is an error; a policy key on a later member is a warning', () => {
  assert.ok(
    problems(member('role').replace('group = storage', 'group = -x')).some((l) =>
      /key 'group': expected a group name/.test(l),
    ),
  );
  const lines = problems([member('role'), member('pool', 'latch = yes\n')].join('\n'));
  assert.ok(
    lines.some((l) =>
      /^g\.cfg:16: warning: section \[pool\] key 'latch': ignored: group 'storage' takes its policy from its first member \[role\]/.test(
        l,
      ),
    ),
    lines.join('\n'),
  );
});

test('hooks from [DEFAULT] agree on every member and belong to the group', () => {
  const text = `[DEFAULT]\nafter_failover = echo moved {process}\n\n${member('role')}\n${member('pool')}`;
  const { config, diagnostics } = parseConfigText(text, 'g.cfg', { env: {} });
  assert.ok(config, diagnostics.map(formatDiagnostic).join('\n'));
  assert.equal(config.processes[0]!.hooks.afterFailover.length, 1);
});
