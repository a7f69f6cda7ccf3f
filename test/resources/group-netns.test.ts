/**
 * A group on a real network (issue 13): two server namespaces (SSH hosts) and a client namespace
 * on one bridge. The group `storage` has three members — a file marker, the service, and the
 * VIP (set on the service's section: added last, removed first). Members log each start and stop
 * to one file; the service's stop also logs whether the VIP was still on its host.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  killService,
  labSshLines,
  runHaValetInLab,
  SERVICE_PORT,
  writeServiceConfig,
} from '../helpers/lab-service.js';
import { fixture } from '../helpers/paths.js';
import { askVip, clientReaches, vipHolders } from '../helpers/vip-client.js';
import { createLab, LAB_SUBNET, type Lab, type LabNode } from '../helpers/vip-lab.js';

const VIP = `${LAB_SUBNET}.60`;
let lab: Lab;
let configFile: string;
let logFile: string;

/** Runs ha-valet in the client namespace. */
function haValet(...args: string[]) {
  return runHaValetInLab(lab, configFile, args);
}

/** The servers that hold the VIP, by name. */
const holders = () => vipHolders(lab, VIP);

/** The members' log lines written since `from` lines, with server addresses as names. */
function logSince(from: number): string[] {
  let text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  for (const s of lab.servers) text = text.split(s.address).join(s.name);
  return text.split('\n').filter(Boolean).slice(from);
}

/** Whether the file marker is set on `server`. */
const markerOn = (server: LabNode) => existsSync(path.join(lab.dir, `${server.address}.marker`));

before(async () => {
  lab = await createLab({ servers: 2, clients: 1 });
  logFile = path.join(lab.dir, 'members.log');
  const pid = path.join(lab.dir, '%(host)s.pid');
  const broken = path.join(lab.dir, '%(host)s.broken');
  const marker = path.join(lab.dir, '%(host)s.marker');
  const server = `${process.execPath} ${fixture('services', 'name-server.mjs')} %(host)s ${SERVICE_PORT}`;
  const vipHere = `ip -o -4 addr show to ${VIP}/32 | grep -q . && echo vip-held || echo vip-gone`;
  configFile = writeServiceConfig(
    lab,
    [
      'group = storage',
      'order = 2',
      `vip = ${VIP}/24`,
      'vip_interface = eth0',
      `start = echo "start service %(host)s" >> ${logFile}; if [ -e ${broken} ]; then exit 1; fi; nohup ${server} >/dev/null 2>&1 </dev/null & echo $! > ${pid}`,
      `stop = echo "stop service %(host)s $(${vipHere})" >> ${logFile}; kill $(cat ${pid} 2>/dev/null) 2>/dev/null; rm -f ${pid}; true`,
    ],
    [
      [
        '[marker]',
        ...labSshLines(lab),
        'group = storage',
        'order = 1',
        `start = echo "start marker %(host)s" >> ${logFile}; touch ${marker}`,
        `stop = echo "stop marker %(host)s" >> ${logFile}; rm -f ${marker}`,
        `test = [ -e ${marker} ] && exit 1 || exit 0`,
        '',
      ].join('\n'),
    ],
  );
});

after(() => lab?.dispose());

test('a group of a file marker, the service and a VIP moves as one and stops in reverse order', async () => {
  const [s1, s2] = lab.servers as [LabNode, LabNode];

  const dry = await haValet('run', '--dry-run');
  assert.match(dry.stdout, new RegExp(`would start on ${s1.address} \\(marker → Db\\)`), dry.stdout);
  assert.deepEqual(logSince(0), [], 'a dry run runs no start');

  const first = await haValet('run');
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(logSince(0), ['start marker s1', 'start service s1']);
  assert.deepEqual(holders(), ['s1'], 'the VIP is added after the last member is up');
  assert.equal(await clientReaches(lab, VIP, s1), s1.address);
  assert.equal(markerOn(s1), true);

  // The service dies on s1 and cannot start there again: the rest of the group stops there
  // (VIP first), the restart on s1 fails at the service and is rolled back, the group moves to s2.
  killService(lab, s1, true);
  const moved = await haValet('run');
  assert.equal(moved.code, 0, moved.stdout + moved.stderr);
  assert.deepEqual(logSince(2), [
    'stop service s1 vip-gone',
    'stop marker s1',
    'start marker s1',
    'start service s1',
    'stop service s1 vip-gone',
    'stop marker s1',
    'start marker s2',
    'start service s2',
  ]);
  assert.deepEqual(holders(), ['s2']);
  assert.equal(await clientReaches(lab, VIP, s2), s2.address);
  assert.equal(markerOn(s1), false, 'the old host keeps no marker');
  assert.equal(markerOn(s2), true, 'the marker moved');

  const status = await haValet('status', '--json', '--no-probe');
  const report = JSON.parse(status.stdout) as {
    processes: Array<{ name: string; activeHost: string; members?: Array<{ name: string }> }>;
  };
  assert.equal(report.processes[0]!.name, 'storage');
  assert.equal(report.processes[0]!.activeHost, s2.address);
  assert.deepEqual(
    report.processes[0]!.members?.map((m) => m.name),
    ['marker', 'Db'],
  );

  // Stopping the group: the VIP goes first, then the members in reverse order.
  const stopped = await haValet('stop', '-p', 'storage');
  assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
  assert.deepEqual(logSince(10), ['stop service s2 vip-gone', 'stop marker s2']);
  assert.deepEqual(holders(), []);
  assert.equal(markerOn(s2), false);
  assert.equal(askVip(lab, VIP).answer, null);
});
