/**
 * Files others can change are refused before anything runs: real files, a real
 * second user, the real CLI. Each case asserts the message (path, mode, owner,
 * the fix), exit 2, and that the start command's marker file never appeared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { runAs, useTrustFixtures, writeFile, type World } from './helpers/world.js';

const fixtures = useTrustFixtures();
const world = fixtures.world;

/** Runs a pass and asserts it was refused with `message` and ran nothing. */
async function assertRefused(w: World, message: RegExp | null, args: string[] = []): Promise<string> {
  const result = await runAs(['-c', w.config, ...args]);
  assert.equal(result.code, 2, `expected exit 2, got ${result.code}: ${result.stderr}`);
  if (message) assert.match(result.stderr, message);
  assert.match(result.stderr, /refusing to run: .* nothing was run/);
  assert.equal(existsSync(w.started), false, 'the start command ran');
  return result.stderr;
}

test('control: a safe config runs (the marker appears), so the refusals below are the check', async () => {
  const w = world();
  const result = await runAs(['-c', w.config]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(w.started), true);
});

test('a world-writable config is refused: mode, owner and chmod go-w', async () => {
  const w = world();
  chmodSync(w.config, 0o666);
  const stderr = await assertRefused(w, null);
  assert.ok(
    stderr.includes(
      `config file ${w.config} is not safe: group and others can write it (mode 0666, owner root, group root); ` +
        `expected owned by root, not writable by group or others; fix: chmod go-w ${w.config}`,
    ),
    stderr,
  );
});

test('a config owned by another user is refused with the chown that fixes it', async () => {
  const w = world();
  chownSync(w.config, fixtures.other().uid, fixtures.other().gid);
  await assertRefused(
    w,
    new RegExp(
      `config file ${w.config} is not safe: owned by uid ${fixtures.other().uid} \\(${fixtures.other().name}\\).*fix: chown root ${w.config}`,
    ),
  );
});

test('a group-writable directory above the config is refused', async () => {
  const w = world();
  const etc = path.dirname(w.config);
  chmodSync(etc, 0o775);
  await assertRefused(
    w,
    new RegExp(
      `directory ${etc} \\(on the way to config file ${w.config}\\) is not safe: group can write it \\(mode 0775.*fix: chmod g-w ${etc}`,
    ),
  );
});

test('a symlink to the config owned by another user is refused (chown -h)', async () => {
  const w = world();
  const link = path.join(w.dir, 'link.cfg');
  symlinkSync(w.config, link);
  lchownSync(link, fixtures.other().uid, fixtures.other().gid);
  const result = await runAs(['-c', link]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `config file ${link} is not safe: owned by uid ${fixtures.other().uid}.*fix: chown -h root ${link}`,
    ),
  );
  assert.equal(existsSync(w.started), false);
});

test('a config in a sticky world-writable directory (like /tmp) is accepted', async () => {
  const w = world();
  const sticky = path.join(w.dir, 'sticky');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const config = path.join(sticky, 'ha_valet.cfg');
  writeFile(
    config,
    `[DEFAULT]\nstate_dir = ${w.stateDir}\n[Svc]\nhost = 127.0.0.1\nstart = touch ${w.started}\nstop = true\ntest = test -e ${w.started} && exit 1; exit 0\n`,
    0o644,
  );
  const result = await runAs(['-c', config]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(w.started), true);
});

/** A world with an SSH process using key and known_hosts files in its dir. */
function sshWorld(keyMode: number, knownHostsMode: number): { w: World; key: string; knownHosts: string } {
  const w = world({
    extra:
      '[Remote]\nhost = 127.0.0.1\ntransport = ssh\nssh_key = ../id_test\nssh_known_hosts = ../known_hosts\nstart = true\nstop = true\ntest = exit 1\n',
  });
  const key = path.join(w.dir, 'id_test');
  const knownHosts = path.join(w.dir, 'known_hosts');
  writeFile(
    key,
    '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n',
    keyMode,
  );
  writeFile(
    knownHosts,
    '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogusBogusBogusBogusBogusBogusBogusBogus\n',
    knownHostsMode,
  );
  return { w, key, knownHosts };
}

test('a private key readable by others is refused, pointing at the ssh_key line', async () => {
  const { w, key } = sshWorld(0o644, 0o644);
  await assertRefused(
    w,
    new RegExp(
      `${w.config}:14: section \\[Remote\\] key 'ssh_key': ssh_key ${key} is not safe: group and others can read it \\(mode 0644.*fix: chmod go-r ${key}`,
    ),
  );
});

test('a writable known_hosts is refused', async () => {
  const { w, knownHosts } = sshWorld(0o600, 0o646);
  await assertRefused(
    w,
    new RegExp(
      `key 'ssh_known_hosts': ssh_known_hosts ${knownHosts} is not safe: others can write it.*fix: chmod o-w ${knownHosts}`,
    ),
  );
});

test('an etcd password file others can read is refused before etcd is contacted', async () => {
  const w = world({
    defaults:
      'coordination = etcd\netcd_endpoints = http://127.0.0.1:1\netcd_username = hv\netcd_password_file = ../etcd.pw',
  });
  const secret = path.join(w.dir, 'etcd.pw');
  writeFile(secret, 'hunter2\n', 0o644);
  await assertRefused(
    w,
    new RegExp(`etcd_password_file ${secret} is not safe: others can read it.*fix: chmod o-r ${secret}`),
  );
});

test('a world-writable state directory is refused (and one owned by another user)', async () => {
  const w = world();
  mkdirSync(w.stateDir);
  chmodSync(w.stateDir, 0o777);
  await assertRefused(
    w,
    new RegExp(
      `key 'state_dir': state_dir ${w.stateDir} is not safe: group and others can write it.*fix: chmod go-w ${w.stateDir}`,
    ),
  );
  chmodSync(w.stateDir, 0o750);
  chownSync(w.stateDir, fixtures.other().uid, fixtures.other().gid);
  await assertRefused(
    w,
    new RegExp(`state_dir ${w.stateDir} is not safe: owned by uid ${fixtures.other().uid}`),
  );
});

test('watch, the operator commands, doctor and status refuse too; validate reports the same and exits 2', async () => {
  const w = world();
  chmodSync(w.config, 0o666);
  const problem = new RegExp(`config file ${w.config} is not safe: group and others can write it`);
  for (const args of [
    ['watch'],
    ['start', '-p', 'Svc'],
    ['move', '-p', 'Svc', '--to', '127.0.0.1'],
    ['doctor'],
    ['status'],
  ]) {
    await assertRefused(w, problem, args);
  }
  const validate = await runAs(['-c', w.config, 'validate']);
  assert.equal(validate.code, 2);
  assert.match(validate.stderr, problem);
  assert.match(validate.stderr, /is invalid \(1 error, 0 warnings\); nothing was run/);
  const json = await runAs(['-c', w.config, 'validate', '--json']);
  const doc = JSON.parse(json.stdout) as { valid: boolean; errors: Array<{ message: string }> };
  assert.equal(doc.valid, false);
  assert.match(doc.errors[0]?.message ?? '', problem);
});

test('opt-out: --trust-check warn / HA_VALET_TRUST_CHECK=warn runs and warns; off runs and says it is off', async () => {
  const w = world();
  chmodSync(w.config, 0o666);
  const warned = await runAs(['-c', w.config], { env: { HA_VALET_TRUST_CHECK: 'warn' } });
  assert.equal(warned.code, 0, warned.stderr);
  assert.equal(existsSync(w.started), true);
  assert.match(warned.stderr, /WARN file trust check only warns \(HA_VALET_TRUST_CHECK=warn\)/);
  assert.match(warned.stderr, new RegExp(`WARN ${w.config}: config file ${w.config} is not safe`));

  const off = await runAs(['-c', w.config, '--trust-check', 'off']);
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stderr, /WARN file trust check is off \(--trust-check off\)/);

  const validate = await runAs(['-c', w.config, '--trust-check', 'warn', 'validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stderr, new RegExp(`${w.config}: warning: config file ${w.config} is not safe`));

  const bad = await runAs(['-c', w.config, '--trust-check', 'maybe']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--trust-check maybe: expected enforce, warn, off/);
});

test('run as an ordinary user: files of that user or root are trusted, another user’s are not', async () => {
  const w = world();
  chownSync(w.dir, fixtures.other().uid, fixtures.other().gid);
  chownSync(w.config, fixtures.other().uid, fixtures.other().gid);
  const asOther = { uid: fixtures.other().uid, gid: fixtures.other().gid, env: { HOME: w.dir } };
  const own = await runAs(['-c', w.config, 'validate'], asOther);
  assert.equal(own.code, 0, own.stderr);
  chownSync(w.config, 65534, 65534); // nobody
  const foreign = await runAs(['-c', w.config, 'validate'], asOther);
  assert.equal(foreign.code, 2);
  assert.match(
    foreign.stderr,
    new RegExp(
      `owned by uid 65534 \\(nobody\\).*expected owned by uid ${fixtures.other().uid} \\(${fixtures.other().name}\\) or root.*fix: chown ${fixtures.other().name} ${w.config}`,
    ),
  );
});
