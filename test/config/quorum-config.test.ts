/** The issue-12 keys on valid configs: quorum, observation_max_age, fence, fence_timeout, fence_required. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quorumTimingProblem } from '../../src/config/check-quorum-timing.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { parseConfigText } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/model.js';

const SECTION =
  '[Ostro]\nhost = lolek\nstand_by_list = lolek,bolek\nstart = a {host}\nstop = b {host}\ntest = c {host}\n';
const ETCD = '[DEFAULT]\ncoordination = etcd\netcd_endpoints = http://127.0.0.1:2379\n';

/** Parses text that must be valid; returns the config and its warnings as lines. */
function parse(text: string): { config: Config; warnings: string[] } {
  const { config, diagnostics } = parseConfigText(text, 'test.cfg', { env: {} });
  assert.ok(config, diagnostics.map(formatDiagnostic).join('\n'));
  return { config, warnings: diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic) };
}

test('quorum and observation_max_age: absent by default, read from [DEFAULT] with etcd', () => {
  const plain = parse(`${ETCD}${SECTION}`).config.global;
  assert.equal(plain.quorum, undefined, 'default: a majority of the live watchers');
  assert.equal(
    plain.observationMaxAgeMs,
    undefined,
    'default: 3 x the interval plus the longest probe, resolved at run time',
  );
  const set = parse(`${ETCD}quorum = 2\nobservation_max_age = 4s\n${SECTION}`).config.global;
  assert.deepEqual([set.quorum, set.observationMaxAgeMs], [2, 4000]);
});

test('quorum with local coordination: accepted with a warning (one watcher is the quorum)', () => {
  const { config, warnings } = parse(`[DEFAULT]\nquorum = 2\n${SECTION}`);
  assert.equal(config.global.coordination.backend, 'local');
  assert.ok(
    warnings.some(
      (w) => w.startsWith('test.cfg:2: ') && w.includes("key 'quorum'") && w.includes('no effect'),
    ),
    warnings.join('\n'),
  );
});

test('fence: rendered per candidate like start/stop/test; required by default only when set', () => {
  const fenced = parse(`[DEFAULT]\nfence_timeout = 5s\n${SECTION}fence = ipmi-off {host}-ipmi\n`).config;
  const ostro = fenced.processes[0]!;
  assert.deepEqual(
    ostro.candidates.map((c) => c.commands.fence),
    ['ipmi-off lolek-ipmi', 'ipmi-off bolek-ipmi'],
  );
  assert.deepEqual(ostro.fencing, { timeoutMs: 5000, required: true });

  const plain = parse(SECTION).config.processes[0]!;
  assert.equal(plain.candidates[0]!.commands.fence, undefined);
  assert.deepEqual(plain.fencing, { timeoutMs: 30_000, required: false }, 'no fence: today behaviour');

  const optional = parse(`${SECTION}fence = off {host}\nfence_required = no\n`).config.processes[0]!;
  assert.equal(optional.fencing?.required, false);
  const strict = parse(`${SECTION}fence_required = yes\n`).config.processes[0]!;
  assert.equal(
    strict.fencing?.required,
    true,
    'required without a fence: no failover from unconfirmed hosts',
  );
});

test('fence from [DEFAULT] applies to every section, rendered with each section’s values', () => {
  const { config } = parse(
    `[DEFAULT]\nfence = "cut %s %s" % (process, host)\n${SECTION}[Allegro]\nhost = reksio\nstart = a\nstop = b\ntest = c\n`,
  );
  assert.deepEqual(
    config.processes.map((p) => p.candidates.map((c) => c.commands.fence)),
    [['cut Ostro lolek', 'cut Ostro bolek'], ['cut Allegro reksio']],
  );
});

test('observation_max_age set shorter than the longest probe plus an interval: a warning naming what to set', () => {
  const slow = parse(`${ETCD}test_timeout = 30s\nobservation_max_age = 20s\n${SECTION}`);
  assert.ok(
    slow.warnings.some(
      (w) =>
        w.startsWith('test.cfg:5: ') &&
        w.includes("[Ostro]'s longest probe (test_timeout)") &&
        w.includes('at least 35s'),
    ),
    slow.warnings.join('\n'),
  );
  const ssh = parse(`${ETCD}transport = ssh\nobservation_max_age = 13s\n${SECTION}`);
  assert.ok(
    ssh.warnings.some((w) => w.includes('test_timeout plus the SSH kill wait') && w.includes('at least 18s')),
    ssh.warnings.join('\n'),
  );
  assert.deepEqual(parse(`${ETCD}test_timeout = 30s\nobservation_max_age = 40s\n${SECTION}`).warnings, []);
  assert.deepEqual(
    parse(`${ETCD}test_timeout = 30s\n${SECTION}`).warnings,
    [],
    'the default (3 intervals plus the longest probe) always fits',
  );
  assert.deepEqual(parse(`[DEFAULT]\ntest_timeout = 30s\n${SECTION}`).warnings, [], 'local: no peers');
});

test('the timing check uses the interval the watcher runs at (watch --interval)', () => {
  const { config } = parse(`${ETCD}test_timeout = 10s\nobservation_max_age = 12s\n${SECTION}`);
  assert.equal(quorumTimingProblem(config.global, config.processes, 1000), null, '10 s + 1 s fits');
  assert.match(
    quorumTimingProblem(config.global, config.processes, 5000) ?? '',
    /plus one interval of 5 s.*at least 15s/,
  );
});
