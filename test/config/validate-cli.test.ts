/** `ha-valet validate` as a real process: exit codes, output, and configs that must never run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture } from '../helpers/paths.js';
import { runCliProcess } from '../helpers/run-cli.js';

test('a valid config: exit 0 and a summary; --explain lists candidates and rendered commands', async () => {
  const plain = await runCliProcess(['-c', 'config/ha_valet.cfg', 'validate']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'config/ha_valet.cfg: valid, 2 processes in start order: Ostro, Allegro\n');

  const explain = await runCliProcess(['-c', 'config/ha_valet.ini.cfg', 'validate', '--explain']);
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(
    explain.stdout,
    /^Ostro {2}\(order 1, priority 1, transport local, config\/ha_valet\.ini\.cfg:15\)$/m,
  );
  assert.match(
    explain.stdout,
    /^ {2}2\. Host_B \(local\)\n {7}start: ssh stack@Host_B 'cd \/opt\/ostro\/server ; sudo python \.\/ostro_daemon\.py start'$/m,
  );
});

test('--json prints the processes with their candidates', async () => {
  const result = await runCliProcess(['-c', fixture('config', 'valid', 'host-a.cfg'), 'validate', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout) as {
    valid: boolean;
    processes: Array<{
      name: string;
      priority: number;
      candidates: Array<{ host: string; commands: { test: string } }>;
    }>;
  };
  assert.equal(doc.valid, true);
  assert.deepEqual(
    doc.processes[0]?.candidates.map((c) => [c.host, c.commands.test]),
    [
      ['Host_A', "ssh stack@Host_A 'exit 1'"],
      ['Host_B', "ssh stack@Host_B 'exit 2'"],
    ],
  );
});

test('warnings go to stderr and keep exit 0', async () => {
  const file = fixture('config', 'valid', 'warnings.cfg');
  const result = await runCliProcess(['-c', file, 'validate']);
  assert.equal(result.code, 0);
  assert.match(
    result.stderr,
    new RegExp(`^${file}:3: warning: section \\[Ostro\\] key 'standy_by_list'`, 'm'),
  );
  assert.match(
    result.stderr,
    new RegExp(`^${file}:7: warning: section \\[Ostro\\] key 'colour': unknown key`, 'm'),
  );
});

test('invalid configs: exit 2 with FILE:LINE and key, every problem at once', async () => {
  const cases: Array<[string, string]> = [
    ['priority-zero.cfg', ":7: section [Ostro] key 'priority': expected an integer >= 1, got '0'"],
    ['duplicate-alias.cfg', ":7: section [Ostro] key 'start_command': duplicate key"],
    ['template-count-mismatch.cfg', ":5: section [Ostro] key 'start_command': the format has 2 %s"],
    ['etcd-endpoint-bad.cfg', ":4: section [DEFAULT] key 'etcd_endpoints'"],
    ['quorum-zero.cfg', ":5: section [DEFAULT] key 'quorum': expected an integer >= 1, got '0'"],
    ['fence-unknown-name.cfg', ":7: section [Ostro] key 'fence': unknown name 'node' in template"],
  ];
  await Promise.all(
    cases.map(async ([name, expected]) => {
      const file = `test/fixtures/config/invalid/${name}`;
      const result = await runCliProcess(['-c', file, 'validate']);
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      assert.ok(result.stderr.includes(`${file}${expected}`), `${name}:\n${result.stderr}`);
      assert.match(result.stderr, /is invalid \(\d+ errors?, \d+ warnings?\); nothing was run\n$/);
    }),
  );
});

test('injection attempts are config errors and nothing runs', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-inject-'));
  try {
    const marker = path.join(dir, 'ran');
    const file = path.join(dir, 'ha_valet.cfg');
    writeFileSync(
      file,
      `[Ostro]\nhost = a;touch ${marker}-host\nuser = $(touch ${marker}-user)\n` +
        `start = touch ${marker}-start\nstop = touch ${marker}-stop\ntest = touch ${marker}-test\n`,
    );
    const result = await runCliProcess(['-c', file, 'validate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`${file}:2: section \\[Ostro\\] key 'host': .*got 'a;touch `));
    assert.match(result.stderr, new RegExp(`${file}:3: section \\[Ostro\\] key 'user': .*got '\\$\\(touch `));
    for (const suffix of ['host', 'user', 'start', 'stop', 'test']) {
      assert.equal(existsSync(`${marker}-${suffix}`), false, `${suffix} ran`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file: exit 2 with one line, no stack trace', async () => {
  const result = await runCliProcess(['-c', '/nonexistent/ha_valet.cfg', 'validate']);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'ha-valet: cannot read config file /nonexistent/ha_valet.cfg: no such file (give one with -c FILE or $HA_VALET_CONFIG)\n',
  );
});

test('$HA_VALET_CONFIG and --define are honoured', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-env-'));
  try {
    const file = path.join(dir, 'x.cfg');
    writeFileSync(file, '[A]\nhost = h\nstart = cd @HV_TEST_DIR@ && ./start\nstop = b\ntest = c\n');
    const env = { HA_VALET_CONFIG: file };
    const unresolved = await runCliProcess(['validate'], { env, cwd: dir });
    assert.equal(unresolved.code, 2);
    assert.match(
      unresolved.stderr,
      /x\.cfg:3: section \[A\] key 'start': unresolved placeholder @HV_TEST_DIR@/,
    );
    const defined = await runCliProcess(['-D', 'HV_TEST_DIR=/srv/a', 'validate', '--explain'], {
      env,
      cwd: dir,
    });
    assert.equal(defined.code, 0, defined.stderr);
    assert.match(defined.stdout, /start: cd \/srv\/a && \.\/start/);
    const bad = await runCliProcess(['-D', 'lower=1', 'validate'], { env, cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--define expects NAME=VALUE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
