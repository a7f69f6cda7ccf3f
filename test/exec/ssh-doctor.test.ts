/** `ha-valet doctor` against a real sshd: one line per host, stages named, exit 1 when a host fails. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCliProcess } from '../helpers/run-cli.js';
import { startTestSshd, type TestSshd } from '../helpers/sshd.js';

let sshd: TestSshd;

before(async () => {
  sshd = await startTestSshd({ addresses: ['127.0.0.6', '127.0.0.7'] });
});

after(async () => {
  await sshd.dispose();
});

/** Writes a config with one ssh process over HOSTS and returns its path. */
function writeConfig(name: string, hosts: string[], extra: string[] = []): string {
  const file = path.join(sshd.dir, `${name}.cfg`);
  const lines = [
    ':Svc',
    `    host = ${hosts[0]}`,
    `    stand_by_list = ${hosts.join(',')}`,
    '    transport = ssh',
    `    ssh_user = ${sshd.user}`,
    `    ssh_port = ${sshd.port}`,
    `    ssh_key = ${sshd.clientKeyFile}`,
    `    ssh_known_hosts = ${sshd.knownHostsFile}`,
    '    connect_timeout = 3s',
    ...extra,
    '    start_command = "true"',
    '    stop_command = "true"',
    '    test_command = "exit %s" % rank',
  ];
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

test('doctor reports each ssh host with connect, host key and auth, and runs the test once', async () => {
  const config = writeConfig('good', ['127.0.0.6', '127.0.0.7']);
  const result = await runCliProcess(['-c', config, 'doctor']);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(
    result.stdout,
    /ok {3}Svc@127\.0\.0\.6 ssh .*@127\.0\.0\.6:\d+: connect ok, host key ok, auth ok; test: up \(priority 1\)/,
  );
  assert.match(
    result.stdout,
    /ok {3}Svc@127\.0\.0\.7 ssh .*: connect ok, host key ok, auth ok; test: up \(priority 2\)/,
  );
});

test('doctor names the failing stage and exits 1', async () => {
  const knownHosts = path.join(sshd.dir, 'only7_known_hosts');
  writeFileSync(knownHosts, `[127.0.0.7]:${sshd.port} ${sshd.hostPublicKey}\n`);
  const config = writeConfig('bad', ['127.0.0.6', '127.0.0.7']);
  writeFileSync(config, readFileSync(config, 'utf8').replace(sshd.knownHostsFile, knownHosts));
  const result = await runCliProcess(['-c', config, 'doctor', '--json']);
  assert.equal(result.code, 1, result.stderr + result.stdout);
  const lines = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  assert.equal(lines[0]!.hostKey, 'failed');
  assert.match(String(lines[0]!.reason), /^unknown host key/);
  assert.equal(lines[1]!.ok, true);
});
