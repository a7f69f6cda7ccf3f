/**
 * Operator commands on a group (issue 13), through the real CLI, local transport, file markers:
 * `move -p MEMBER` acts on the whole group and says so; `stop -p GROUP` stops every member.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliProcess } from '../helpers/run-cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-group-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const A = '127.0.0.2';
const B = '127.0.0.3';

/** A member that is a file marker per host. */
const member = (name: string, order: number) => {
  const file = path.join(dir, `%(host)s.${name}`);
  return [
    `[${name}]`,
    `host = ${A}`,
    `stand_by_list = ${A},${B}`,
    'group = storage',
    `order = ${order}`,
    `start = touch ${file}`,
    `stop = rm -f ${file}`,
    `test = [ -e ${file} ] && exit 1 || exit 0`,
    '',
  ].join('\n');
};
const config = path.join(dir, 'ha_valet.cfg');
writeFileSync(
  config,
  [`[DEFAULT]\nstate_dir = ${path.join(dir, 'state')}\n`, member('role', 1), member('nfs', 2)].join('\n'),
);
const cli = (...args: string[]) => runCliProcess(['-c', config, ...args]);
const on = (host: string) => ['role', 'nfs'].filter((m) => existsSync(path.join(dir, `${host}.${m}`)));

test('move with a member name moves the whole group; stop with the group name stops it everywhere', async () => {
  const run = await cli('run');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(on(A), ['role', 'nfs']);

  const move = await cli('move', '-p', 'nfs', '--to', B);
  assert.equal(move.code, 0, move.stdout + move.stderr);
  assert.match(move.stderr, /note: nfs belongs to group storage: acting on the whole group/);
  assert.match(move.stdout, /storage: moved from 127\.0\.0\.2 to 127\.0\.0\.3/);
  assert.deepEqual(on(A), []);
  assert.deepEqual(on(B), ['role', 'nfs']);

  const doctor = await cli('doctor', '-p', 'storage');
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /ok {3}role@127\.0\.0\.3 local: test: up \(priority 1\)/);
  assert.match(doctor.stdout, /ok {3}nfs@127\.0\.0\.2 local: test: down \(exit 0\)/);
  const history = await cli('history', '-p', 'nfs', '--json');
  assert.equal(history.code, 0, history.stdout + history.stderr);
  const events = (JSON.parse(history.stdout) as Array<{ event: string; member?: string; host?: string }>)
    .filter((e) => e.member === 'nfs')
    .map((e) => `${e.event} ${e.host}`);
  assert.deepEqual(events, [`member-start ${A}`, `member-stop ${A}`, `member-start ${B}`]);
  const status = await cli('status', '-p', 'nfs', '--json', '--no-probe');
  assert.equal(status.code, 0, status.stdout + status.stderr);

  const stop = await cli('stop', '-p', 'storage');
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.deepEqual(on(B), []);
  const after = await cli('status', '--json');
  const report = JSON.parse(after.stdout) as { processes: Array<{ name: string; state: string }> };
  assert.deepEqual(
    report.processes.map((p) => [p.name, p.state]),
    [['storage', 'maintenance']],
  );
});
