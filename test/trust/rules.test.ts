/** The pure trust rule and the path walk, table-driven (facts in, problems out). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPaths, prefixes, toDiagnostics } from '../../src/trust/check-paths.js';
import type { FactReader } from '../../src/trust/read-facts.js';
import {
  describeAccess,
  judgePath,
  symbolicRemoval,
  type IdNames,
  type PathFacts,
  type TrustRole,
} from '../../src/trust/rules.js';
import type { TrustedPath } from '../../src/trust/trusted-paths.js';
import { resolveTrustSetting } from '../../src/trust/check-trust.js';
import { UsageError } from '../../src/errors.js';
import { refuseRequestFile } from '../../src/trust/request-file.js';

const names: IdNames = {
  user: (uid) => ({ 0: 'root', 1000: 'alice', 1001: 'bob' })[uid] ?? null,
  group: (gid) => ({ 0: 'root', 100: 'users' })[gid] ?? null,
};

/** Facts of a file or directory. */
function facts(mode: number, uid = 0, kind: PathFacts['kind'] = 'file', gid = 0): PathFacts {
  return { path: '/x', kind, mode, uid, gid };
}

test('judgePath: owner, mode and role decide; each problem comes with its fix', () => {
  const cases: Array<[string, PathFacts, TrustRole, number, string[] | null]> = [
    ['root file 0644, run as root', facts(0o644), 'file', 0, null],
    ['own file 0600, run as alice', facts(0o600, 1000), 'file', 1000, null],
    ['root file, run as alice', facts(0o644, 0), 'file', 1000, null],
    ['world-writable config', facts(0o666), 'file', 0, ['chmod go-w /x']],
    ['group-writable config', facts(0o664), 'file', 0, ['chmod g-w /x']],
    ["bob's file, run as root", facts(0o644, 1001), 'file', 0, ['chown root /x']],
    ["bob's file, run as alice", facts(0o600, 1001), 'file', 1000, ['chown alice /x']],
    ['both wrong', facts(0o646, 1001), 'file', 0, ['chown root /x', 'chmod o-w /x']],
    ['readable ssh key', facts(0o644), 'ssh-key', 0, ['chmod go-r /x']],
    ['group-readable ssh key', facts(0o640), 'ssh-key', 0, ['chmod g-r /x']],
    ['group-readable secret is fine', facts(0o640), 'secret', 0, null],
    ['others-readable secret', facts(0o604), 'secret', 0, ['chmod o-r /x']],
    ['sticky /tmp above a file', facts(0o1777, 0, 'dir'), 'parent', 0, null],
    ['sticky dir of bob above a file', facts(0o1777, 1001, 'dir'), 'parent', 0, ['chown root /x']],
    ['sticky state dir', facts(0o1777, 0, 'dir'), 'dir', 0, ['chmod go-w /x']],
    ['group-writable directory above', facts(0o775, 0, 'dir'), 'parent', 0, ['chmod g-w /x']],
    ['symlink 0777 of root', facts(0o777, 0, 'symlink'), 'file', 0, null],
    ["bob's symlink", facts(0o777, 1001, 'symlink'), 'parent', 0, ['chown -h root /x']],
  ];
  for (const [name, given, role, uid, fixes] of cases) {
    const problem = judgePath(given, role, uid, names);
    assert.deepEqual(problem?.fixes ?? null, fixes, name);
  }
});

test('judgePath: the message parts name owner, group, mode and what is expected', () => {
  const problem = judgePath({ ...facts(0o664, 1001, 'file', 100), path: '/etc/hv.cfg' }, 'file', 0, names);
  assert.deepEqual(problem?.problems, ['owned by uid 1001 (bob)', 'group can write it']);
  assert.equal(problem?.found, 'mode 0664, owner uid 1001 (bob), group gid 100 (users)');
  assert.equal(problem?.expected, 'owned by root, not writable by group or others');
  const unknown = judgePath(facts(0o600, 4242), 'file', 1000, { user: () => null, group: () => null });
  assert.deepEqual(unknown?.problems, ['owned by uid 4242']);
  assert.equal(unknown?.expected, 'owned by uid 1000 or root, not writable by group or others');
  assert.deepEqual(unknown?.fixes, ['chown 1000 /x']);
});

test('describeAccess and symbolicRemoval name exactly the offending bits', () => {
  assert.equal(describeAccess(0o022), 'group and others can write it');
  assert.equal(describeAccess(0o046), 'group can read it, others can read and write it');
  assert.equal(describeAccess(0o001), 'others can search it');
  assert.equal(symbolicRemoval(0o022), 'go-w');
  assert.equal(symbolicRemoval(0o046), 'g-r,o-rw');
  assert.equal(symbolicRemoval(0o007), 'o-rwx');
});

test('prefixes: from / down to the path itself', () => {
  assert.deepEqual(prefixes('/etc/ha-valet/ha_valet.cfg'), [
    '/',
    '/etc',
    '/etc/ha-valet',
    '/etc/ha-valet/ha_valet.cfg',
  ]);
  assert.deepEqual(prefixes('/'), ['/']);
});

/** A reader over a table of facts (a missing path is absent); symlinks resolve through `links`. */
function tableReader(
  table: Record<string, [number, number, PathFacts['kind']?]>,
  real = new Map<string, string>(),
): FactReader {
  return {
    facts: (p) => {
      const row = table[p];
      return row ? { path: p, mode: row[0], uid: row[1], gid: 0, kind: row[2] ?? 'dir' } : null;
    },
    realpath: (p) => real.get(p) ?? p,
    names,
  };
}

const config: TrustedPath = {
  path: '/etc/hv/hv.cfg',
  role: 'file',
  label: 'config file',
  where: { line: 0 },
};

test('checkPaths: every directory above counts; a missing path stops the walk without a problem', () => {
  const reader = tableReader({
    '/': [0o755, 0],
    '/etc': [0o777, 0],
    '/etc/hv': [0o755, 1001],
    '/etc/hv/hv.cfg': [0o644, 0, 'file'],
  });
  const found = checkPaths([config], reader, 0);
  assert.deepEqual(
    found.map((f) => [f.problem.path, f.problem.fixes]),
    [
      ['/etc', ['chmod go-w /etc']],
      ['/etc/hv', ['chown root /etc/hv']],
    ],
  );
  const missing: TrustedPath = { ...config, path: '/etc/hv/absent/key', role: 'ssh-key' };
  assert.deepEqual(checkPaths([missing], tableReader({ '/': [0o755, 0], '/etc': [0o755, 0] }), 0), []);
});

test('checkPaths: a symlink on the way is judged by its owner, and its target path is walked too', () => {
  const reader = tableReader(
    {
      '/': [0o755, 0],
      '/etc': [0o755, 0],
      '/etc/hv': [0o777, 1001, 'symlink'],
      '/etc/hv/hv.cfg': [0o644, 0, 'file'],
      '/srv': [0o777, 0],
      '/srv/hv': [0o755, 0],
      '/srv/hv/hv.cfg': [0o644, 0, 'file'],
    },
    new Map([['/etc/hv/hv.cfg', '/srv/hv/hv.cfg']]),
  );
  const found = checkPaths([config], reader, 0);
  assert.deepEqual(
    found.map((f) => [f.problem.path, f.problem.fixes]),
    [
      ['/etc/hv', ['chown -h root /etc/hv']],
      ['/srv', ['chmod go-w /srv']],
    ],
  );
});

test('checkPaths: one problem per path; the state dir role wins over the parent rule (sticky is no excuse)', () => {
  const reader = tableReader({ '/': [0o755, 0], '/st': [0o1777, 0], '/st/cfg-1': [0o750, 0] });
  const targets: TrustedPath[] = [
    { path: '/st/cfg-1', role: 'dir', label: 'state directory of this config', where: { line: 0 } },
    {
      path: '/st',
      role: 'dir',
      label: 'state_dir',
      where: { line: 3, section: 'DEFAULT', key: 'state_dir' },
    },
  ];
  const diagnostics = toDiagnostics('/etc/hv.cfg', checkPaths(targets, reader, 0), 'error');
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]?.line, 3);
  assert.equal(diagnostics[0]?.key, 'state_dir');
  assert.equal(
    diagnostics[0]?.message,
    'state_dir /st is not safe: group and others can write it (mode 1777, owner root, group root); ' +
      'expected owned by root, not writable by group or others; fix: chmod go-w /st',
  );
});

test('resolveTrustSetting: --trust-check, else HA_VALET_TRUST_CHECK, else enforce; a bad value is a usage error', () => {
  assert.deepEqual(resolveTrustSetting(undefined, {}), { mode: 'enforce', source: 'default' });
  assert.deepEqual(resolveTrustSetting(undefined, { HA_VALET_TRUST_CHECK: 'warn' }), {
    mode: 'warn',
    source: 'HA_VALET_TRUST_CHECK=warn',
  });
  assert.deepEqual(resolveTrustSetting('off', { HA_VALET_TRUST_CHECK: 'warn' }), {
    mode: 'off',
    source: '--trust-check off',
  });
  assert.throws(() => resolveTrustSetting('no', {}), UsageError);
});

test('refuseRequestFile: only a regular file of root or the running user is carried out', () => {
  const file = '/var/lib/ha-valet/x/Svc.request.json';
  assert.equal(refuseRequestFile({ file, uid: 0, kind: 'file' }, 1000), null);
  assert.equal(refuseRequestFile({ file, uid: 1000, kind: 'file' }, 1000), null);
  assert.match(
    refuseRequestFile({ file, uid: 1001, kind: 'file' }, 0) ?? '',
    /is owned by uid 1001.*: refused/,
  );
  assert.match(refuseRequestFile({ file, uid: 0, kind: 'symlink' }, 0) ?? '', /is a symlink: refused/);
  assert.match(refuseRequestFile({ file, uid: 0, kind: 'other' }, 0) ?? '', /not a regular file: refused/);
});
