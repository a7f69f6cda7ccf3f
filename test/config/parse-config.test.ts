/** parseConfigText on valid configs: both dialects, line endings, defaults, candidates, order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { parseConfigText } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/model.js';
import { repoRoot } from '../helpers/paths.js';
import path from 'node:path';

/** Parses text that must be valid. */
function parseValid(text: string, options: Parameters<typeof parseConfigText>[2] = { env: {} }): Config {
  const { config, diagnostics } = parseConfigText(text, 'test.cfg', options);
  assert.ok(config, diagnostics.map(formatDiagnostic).join('\n'));
  return config;
}

const INI = `[Ostro]
host = Host_A
stand_by_list = Host_A,Host_B
user = stack
start = "ssh %s@%s start" % (user, host)
stop = "ssh %s@%s stop" % (user, host)
test = "ssh %s@%s status" % (user, host)
`;

test('both shipped examples load, one per dialect, to the same processes', () => {
  const load = (name: string): Config =>
    parseValid(readFileSync(path.join(repoRoot, 'config', name), 'utf8'), { env: {} });
  const readme = load('ha_valet.cfg');
  const ini = load('ha_valet.ini.cfg');
  for (const config of [readme, ini]) {
    assert.deepEqual(
      config.processes.map((p) => [p.name, p.candidates.map((c) => c.host)]),
      [
        ['Ostro', ['Host_A', 'Host_B']],
        ['Allegro', ['Host_A']],
      ],
    );
    assert.deepEqual(config.warnings, []);
  }
  assert.deepEqual(readme.processes[0]?.candidates, ini.processes[0]?.candidates);
  assert.equal(
    readme.processes[0]?.candidates[1]?.commands.start,
    "ssh stack@Host_B 'cd /opt/ostro/server ; sudo python ./ostro_daemon.py start'",
  );
  assert.equal(
    readme.processes[1]?.candidates[0]?.commands.test,
    "netstat -nap  | grep 8090 | grep LISTEN | wc -l | exit $(awk '{print $1}')",
  );
});

test('INI dialect: candidates are host then the stand-by list, each with its own commands and rank', () => {
  const p = parseValid(INI).processes[0];
  assert.ok(p);
  assert.deepEqual(
    p.candidates.map((c) => [c.rank, c.host, c.commands.start]),
    [
      [1, 'Host_A', 'ssh stack@Host_A start'],
      [2, 'Host_B', 'ssh stack@Host_B start'],
    ],
  );
  assert.equal(p.source.line, 1);
});

test('README dialect: :Name headers, *_command keys, indented or flush values', () => {
  const text = `:Ostro\n    host = Host_B\nstand_by_list = Host_A,Host_B\n  user = stack\n    start_command="ssh %s@%s start" % (user, host)\nstop_command = ssh {user}@{host} stop\n\ttest_command = "exit {rank}"\n`;
  const p = parseValid(text).processes[0];
  assert.ok(p);
  assert.deepEqual(
    p.candidates.map((c) => [c.host, c.commands.start, c.commands.stop, c.commands.test]),
    [
      ['Host_B', 'ssh stack@Host_B start', 'ssh stack@Host_B stop', 'exit 1'],
      ['Host_A', 'ssh stack@Host_A start', 'ssh stack@Host_A stop', 'exit 2'],
    ],
  );
});

test('CRLF line endings, a UTF-8 BOM, # and ; comments and blank lines', () => {
  const text = `\uFEFF# comment\r\n; another\r\n\r\n${INI.replace(/\n/g, '\r\n')}`;
  const config = parseValid(text);
  assert.equal(config.processes[0]?.name, 'Ostro');
  assert.equal(config.processes[0]?.source.line, 4);
  assert.equal(config.processes[0]?.candidates[0]?.commands.test, 'ssh stack@Host_A status');
});

test("the seed's misspelling standy_by_list is read, with a warning naming file:line", () => {
  const config = parseValid(INI.replace('stand_by_list', 'standy_by_list'));
  assert.deepEqual(
    config.processes[0]?.candidates.map((c) => c.host),
    ['Host_A', 'Host_B'],
  );
  assert.deepEqual(config.warnings.map(formatDiagnostic), [
    "test.cfg:3: warning: section [Ostro] key 'standy_by_list': misspelled key, read as 'stand_by_list'; write 'stand_by_list'",
  ]);
});

test('an unknown key is a warning with a hint, and the config stays valid', () => {
  const config = parseValid(INI + 'prority = 2\n');
  assert.deepEqual(config.warnings.map(formatDiagnostic), [
    "test.cfg:8: warning: section [Ostro] key 'prority': unknown key, ignored (did you mean 'priority'?)",
  ]);
});

test('stand-by hosts are deduplicated and the host always comes first', () => {
  const text = INI.replace('Host_A,Host_B', 'Host_C,Host_B,Host_A,Host_C,10.0.0.7,::1');
  assert.deepEqual(
    parseValid(text).processes[0]?.candidates.map((c) => `${c.rank}:${c.host}`),
    ['1:Host_A', '2:Host_C', '3:Host_B', '4:10.0.0.7', '5:::1'],
  );
});

test('processes are sorted by order, then file order; order defaults to file position', () => {
  const section = (name: string, extra = ''): string =>
    `[${name}]\nhost = h\nstart = a\nstop = b\ntest = c\n${extra}`;
  const config = parseValid(
    section('First') +
      section('Second', 'order = 1\n') +
      section('Third', 'order = -5\n') +
      section('Fourth'),
  );
  assert.deepEqual(
    config.processes.map((p) => `${p.name}:${p.order}`),
    ['Third:-5', 'First:1', 'Second:1', 'Fourth:4'],
  );
});

test('every setting has its default, and [DEFAULT] supplies defaults to every section', () => {
  const minimal = parseValid('[A]\nhost = h\nstart = a\nstop = b\ntest = c\n');
  const p = minimal.processes[0];
  assert.ok(p);
  assert.deepEqual(
    {
      priority: p.priority,
      transport: p.transport,
      ssh: p.ssh,
      t: [p.testTimeoutMs, p.startTimeoutMs, p.stopTimeoutMs, p.restartWindowMs, p.givenUpRetryMs],
      n: [p.checkCount, p.maxRestarts, p.minUptimeMs, p.backoffInitialMs, p.backoffMaxMs],
      f: [p.failback, p.failbackDelayMs, p.priorityWaitMs, p.latch],
      hooks: Object.values(p.hooks).flat().length,
    },
    {
      priority: 1,
      transport: 'local',
      ssh: { port: 22, verifyHostKey: true, runner: true, connectTimeoutMs: 5000 },
      t: [10_000, 30_000, 30_000, 150_000, 600_000],
      n: [1, 10, 1_000, 1_000, 10_000],
      f: [false, 30_000, 20_000, false],
      hooks: 0,
    },
  );
  assert.deepEqual(minimal.global, { intervalMs: 5000, coordination: { backend: 'local' } });

  const withDefaults = parseValid(
    '[DEFAULT]\ntest_timeout = 500ms\ntransport = ssh\nuser = stack\ngiven_up_retry = never\nfailback = yes\n' +
      'interval = 0.5\nstate_dir = /var/lib/hv\n[A]\nhost = h\nstart = a\nstop = b\ntest = c\ntest_timeout = 2s\n' +
      '[B]\nhost = g\nstart = a\nstop = b\ntest = c\n',
  );
  const [a, b] = withDefaults.processes;
  assert.deepEqual(
    [a?.testTimeoutMs, b?.testTimeoutMs, b?.transport, b?.ssh.user, b?.givenUpRetryMs, b?.failback],
    [2000, 500, 'ssh', 'stack', null, true],
  );
  assert.deepEqual(withDefaults.global, {
    stateDir: '/var/lib/hv',
    intervalMs: 500,
    coordination: { backend: 'local' },
  });
});

test('hooks: one step, numbered steps in index order, optional: steps, inherited from [DEFAULT]', () => {
  const config = parseValid(
    '[DEFAULT]\non_failed = mail -s {process} ops\nhook_timeout = 5s\n' +
      '[A]\nhost = h\nstart = a\nstop = b\ntest = c\n' +
      'before_failover.10 = optional: echo last\nbefore_failover.2 = notify %MASTER% %SLAVE% {reason}\n' +
      "after_failover = echo '{to_host}'\n",
  );
  const hooks = config.processes[0]?.hooks;
  assert.deepEqual(hooks?.beforeFailover, [
    { command: 'notify %MASTER% %SLAVE% {reason}', optional: false, timeoutMs: 5000 },
    { command: 'echo last', optional: true, timeoutMs: 5000 },
  ]);
  assert.deepEqual(
    hooks?.afterFailover.map((s) => s.command),
    ["echo '{to_host}'"],
  );
  assert.deepEqual(
    hooks?.onFailed.map((s) => s.command),
    ['mail -s {process} ops'],
  );
});

test('ssh and etcd settings', () => {
  const config = parseValid(
    '[DEFAULT]\ncoordination = etcd\netcd_endpoints = http://127.0.0.1:2379, https://[::1]:2380\n' +
      'lease_ttl = 4s\netcd_username = hv\netcd_password_file = /etc/hv/pw\netcd_ca_file = /etc/hv/ca.pem\n' +
      '[A]\nhost = h\nuser = stack\nssh_user = deploy\nssh_port = 2222\nssh_key = /k/id\nssh_verify_host_key = off\nssh_runner = no\n' +
      'connect_timeout = 1s\ntransport = ssh\nstart = a\nstop = b\ntest = c\n',
  );
  assert.deepEqual(config.processes[0]?.ssh, {
    port: 2222,
    user: 'deploy',
    keyFile: '/k/id',
    verifyHostKey: false,
    runner: false,
    connectTimeoutMs: 1000,
  });
  assert.deepEqual(config.global.coordination, {
    backend: 'etcd',
    etcd: {
      endpoints: ['http://127.0.0.1:2379', 'https://[::1]:2380'],
      prefix: '/ha-valet/',
      leaseTtlMs: 4000,
      tls: { caFile: '/etc/hv/ca.pem' },
      auth: { username: 'hv', passwordFile: '/etc/hv/pw' },
    },
  });
});

test('every problem is reported at once, in line order', () => {
  const { config, diagnostics } = parseConfigText(
    '[A]\nhost = bad host\nport = 0\npriority = 0\nstart = a\nstop = b\ntest = c\nfoo = 1\n',
    'x.cfg',
    { env: {} },
  );
  assert.equal(config, null);
  assert.deepEqual(
    diagnostics.map((d) => `${d.severity}:${d.line}:${d.key}`),
    ['error:2:host', 'error:3:port', 'error:4:priority', 'warning:8:foo'],
  );
});

test('ssh_runner is on by default and takes a yes/no value, with FILE:LINE when it is not one', () => {
  const base = '[A]\nhost = h\ntransport = ssh\nstart = a\nstop = b\ntest = c\n';
  assert.equal(parseValid(base).processes[0]?.ssh.runner, true);
  assert.equal(parseValid(`[DEFAULT]\nssh_runner = off\n${base}`).processes[0]?.ssh.runner, false);
  const { config, diagnostics } = parseConfigText(`${base}ssh_runner = perl\n`, 'x.cfg', { env: {} });
  assert.equal(config, null);
  assert.equal(diagnostics.length, 1, diagnostics.map(formatDiagnostic).join('\n'));
  assert.equal(diagnostics[0]?.line, 7);
  assert.equal(diagnostics[0]?.key, 'ssh_runner');
  assert.match(formatDiagnostic(diagnostics[0]!), /^x\.cfg:7: .*ssh_runner.*yes\/no.*'perl'/);
});
