/**
 * Every host's start fails: the pass says which bound holds the next start back and until when,
 * in its line and in --json, and that wait is never longer than backoff_max (issue 11).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { runCliProcess } from '../helpers/run-cli.js';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv({
    start: () => 'echo cannot start >&2; exit 1',
    extra: ['backoff_initial = 8s', 'backoff_max = 8s'],
  });
});
after(() => env.cleanup());

interface PassJson {
  processes: Array<{ status: string; summary: string; hold: { bound: string; until: string | null } | null }>;
}

async function passJson(): Promise<{ at: number; json: PassJson['processes'][0] }> {
  const at = Date.now();
  const result = await runCliProcess(['-c', env.configPath, '--json']);
  assert.equal(result.code, 1, result.stderr);
  return { at, json: (JSON.parse(result.stdout) as PassJson).processes[0]! };
}

test('every start fails: failed, then waiting on back-off with a stated end no later than backoff_max', async () => {
  const first = await passJson();
  assert.equal(first.json.status, 'failed');
  assert.match(first.json.summary, /127\.0\.0\.2: start failed, exit 1; 127\.0\.0\.3: start failed, exit 1/);
  assert.equal(first.json.hold?.bound, 'backoff');

  const second = await passJson();
  assert.equal(second.json.status, 'waiting', second.json.summary);
  assert.match(
    second.json.summary,
    /^Svc: down, no host can start it now \(127\.0\.0\.2: backing off after 1 failed start in a row, retry in \d+ s; 127\.0\.0\.3: backing off after 1 failed start in a row, retry in \d+ s\); next start in \d+ s$/,
  );
  assert.equal(second.json.hold?.bound, 'backoff');
  const until = Date.parse(second.json.hold!.until!);
  assert.ok(until > second.at && until <= second.at + 8000, `until ${second.json.hold!.until}`);
});
