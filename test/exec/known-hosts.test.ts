import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  entryMatchesHost,
  fingerprintOf,
  hostKeyAlgorithmsFor,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
  verifyHostKey,
} from '../../src/exec/known-hosts.js';

/** A fake key blob of TYPE: an SSH string with the type, then random bytes. */
function blob(type: string): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, randomBytes(32)]);
}

/** A hashed host field as `ssh-keygen -H` writes it. */
function hashedHost(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

const keyA = blob('ssh-ed25519');
const keyB = blob('ssh-ed25519');
const rsa = blob('ssh-rsa');
const line = (hosts: string, key: Buffer): string =>
  `${hosts} ${keyTypeOfBlob(key)} ${key.toString('base64')}`;

test('plain entries, comma lists and [host]:port match the right names', () => {
  const entries = parseKnownHosts(
    ['# comment', '', line('alpha,10.0.0.1', keyA), line('[beta]:2222', keyB), 'garbage-line'].join('\n'),
  );
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.line, 3);
  assert.ok(entryMatchesHost(entries[0]!, 'alpha', 22));
  assert.ok(entryMatchesHost(entries[0]!, '10.0.0.1', 22));
  assert.ok(!entryMatchesHost(entries[0]!, 'alpha', 2222), 'a non-22 port is looked up as [alpha]:2222');
  assert.ok(entryMatchesHost(entries[1]!, 'beta', 2222));
  assert.ok(!entryMatchesHost(entries[1]!, 'beta', 22));
});

test('wildcards match and negations exclude', () => {
  const [entry] = parseKnownHosts(line('*.example.org,!bad.example.org', keyA));
  assert.ok(entryMatchesHost(entry!, 'db1.example.org', 22));
  assert.ok(!entryMatchesHost(entry!, 'bad.example.org', 22));
  assert.ok(!entryMatchesHost(entry!, 'example.com', 22));
});

test('hashed |1|salt|hash entries match by HMAC-SHA1 of the lookup name', () => {
  const entries = parseKnownHosts(
    [line(hashedHost('gamma'), keyA), line(hashedHost('[gamma]:2200'), keyB)].join('\n'),
  );
  assert.equal(verifyHostKey(entries, 'gamma', 22, keyA).status, 'ok');
  assert.equal(verifyHostKey(entries, 'gamma', 2200, keyB).status, 'ok');
  assert.equal(verifyHostKey(entries, 'gamma', 2200, keyA).status, 'mismatch');
  assert.equal(verifyHostKey(entries, 'delta', 22, keyA).status, 'unknown');
});

test('verify: ok, unknown, mismatch with the expected fingerprint in the detail', () => {
  const entries = parseKnownHosts(line('alpha', keyA));
  assert.equal(verifyHostKey(entries, 'alpha', 22, keyA).status, 'ok');
  const unknown = verifyHostKey(entries, 'other', 22, keyA);
  assert.equal(unknown.status, 'unknown');
  assert.match(unknown.detail, /other is not in known_hosts; it offered ssh-ed25519 SHA256:/);
  const mismatch = verifyHostKey(entries, 'alpha', 22, keyB);
  assert.equal(mismatch.status, 'mismatch');
  assert.ok(mismatch.detail.includes(fingerprintOf(keyA)));
  assert.ok(mismatch.detail.includes(fingerprintOf(keyB)));
});

test('@revoked keys are a mismatch even when another line lists them; @cert-authority is not a host key', () => {
  const entries = parseKnownHosts(
    [line('alpha', keyA), `@revoked ${line('*', keyA)}`, `@cert-authority ${line('beta', keyB)}`].join('\n'),
  );
  assert.equal(verifyHostKey(entries, 'alpha', 22, keyA).status, 'mismatch');
  assert.equal(verifyHostKey(entries, 'beta', 22, keyB).status, 'unknown');
});

test('key types to pin: rsa expands to the rsa-sha2 signatures, unsupported types are dropped', () => {
  const entries = parseKnownHosts([line('alpha', keyA), line('alpha', rsa), line('alpha', keyB)].join('\n'));
  assert.deepEqual(knownKeyTypes(entries, 'alpha', 22), ['ssh-ed25519', 'ssh-rsa']);
  assert.deepEqual(hostKeyAlgorithmsFor(['ssh-ed25519', 'ssh-rsa', 'sk-ssh-ed25519@openssh.com']), [
    'ssh-ed25519',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
  ]);
});
