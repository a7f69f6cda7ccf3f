/**
 * Trust at run time, with real files and processes: a request file another user
 * owns is refused and journaled, the state dir keeps its modes under umask 000,
 * a watcher refuses a reload of a config others can write, and the status
 * endpoint answers 401 without its bearer token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../helpers/demo-env.js';
import { startWatcher } from '../watch/helpers/watcher-process.js';
import { configStateDir } from '../../src/state/state-dir.js';
import { runAs, useTrustFixtures, writeFile, type World } from './helpers/world.js';

const fixtures = useTrustFixtures();
const world = fixtures.world;

/** The journal entries of a world. */
function journal(w: World): Array<{ event: string; process: string; ok?: boolean; reason?: string }> {
  const file = path.join(configStateDir(w.stateDir, w.config), 'journal.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; process: string; ok?: boolean; reason?: string });
}

test('a request file owned by another user is refused and journaled; the same file of root is carried out', async () => {
  const w = world();
  assert.equal((await runAs(['-c', w.config])).code, 0);
  assert.equal(existsSync(w.started), true);
  const requestFile = path.join(configStateDir(w.stateDir, w.config), 'Svc.request.json');
  const request = JSON.stringify({ type: 'stop', host: null, by: 'intruder@elsewhere', at: Date.now() });
  writeFile(requestFile, request, 0o640);
  chownSync(requestFile, fixtures.other().uid, fixtures.other().gid);

  const refused = await runAs(['-c', w.config]);
  assert.equal(refused.code, 0, refused.stderr);
  const reason = `request file ${requestFile} is owned by uid ${fixtures.other().uid} (${fixtures.other().name}), not by root or the user ha-valet runs as: refused, not carried out`;
  assert.ok(refused.stderr.includes(`Svc: ${reason}`), refused.stderr);
  assert.equal(existsSync(w.stopped), false, 'the refused stop request was carried out');
  assert.equal(existsSync(requestFile), false, 'the refused request file is left behind');
  const refusals = journal(w).filter((e) => e.event === 'request-refused');
  assert.deepEqual(
    refusals.map((e) => [e.process, e.ok, e.reason]),
    [['Svc', false, reason]],
  );

  writeFile(requestFile, request, 0o640); // root's own request: carried out
  await runAs(['-c', w.config]);
  assert.equal(existsSync(w.stopped), true, 'a request of root was not carried out');
});

test('under umask 000 everything ha-valet creates in the state dir stays closed to group write and to others', async () => {
  const w = world();
  for (const args of [[], ['stop', '-p', 'Svc'], ['start', '-p', 'Svc'], ['status', '--full']]) {
    const result = await runAs(['-c', w.config, ...args], { umask: '000' });
    assert.ok(result.code === 0 || result.code === 1, `${args.join(' ')}: ${result.stderr}`);
  }
  const seen: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const st = lstatSync(file);
      seen.push(`${path.relative(w.stateDir, file)} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) walk(file);
    }
  };
  const top = lstatSync(w.stateDir).mode & 0o777;
  walk(w.stateDir);
  assert.ok(
    seen.some((line) => /journal\.jsonl 640$/.test(line)),
    seen.join('\n'),
  );
  assert.ok(
    seen.some((line) => /Svc\.state\.json 640$/.test(line)),
    seen.join('\n'),
  );
  assert.equal(top, 0o750);
  for (const line of seen) assert.match(line, / (640|750)$/, `too open: ${line}`);
});

test('a watcher refuses a SIGHUP reload of a config others can write, and keeps running the old one', async () => {
  const w = world();
  const watcher = startWatcher(w.config, ['--interval', '0.5']);
  try {
    await watcher.waitForLog(/start Svc@127\.0\.0\.1/);
    const planted = path.join(w.dir, 'planted');
    const text = readFileSync(w.config, 'utf8').replace(`stop = rm -f`, `stop = touch ${planted}; rm -f`);
    writeFile(w.config, text, 0o666);
    const from = watcher.log().length;
    watcher.signal('SIGHUP');
    await watcher.waitForLog(
      new RegExp(
        `config reload rejected, keeping the running config:\\n.*config file ${w.config} is not safe: group and others can write it`,
      ),
      { from },
    );
    assert.equal(existsSync(planted), false);
  } finally {
    await watcher.stop();
  }
});

test('watch --http with --http-token-file: 401 without the bearer token, 200 with it; an unsafe token file is refused', async () => {
  const w = world();
  const tokenFile = path.join(w.dir, 'http.token');
  writeFile(tokenFile, 'sesame-0123456789\n', 0o644);
  const port = await freePort();
  const args = ['-c', w.config, 'watch', '--http', `127.0.0.1:${port}`, '--http-token-file', tokenFile];
  const unsafe = await runAs(args);
  assert.equal(unsafe.code, 2);
  assert.match(
    unsafe.stderr,
    new RegExp(`--http-token-file ${tokenFile} is not safe: others can read it.*fix: chmod o-r ${tokenFile}`),
  );
  const alone = await runAs(['-c', w.config, 'watch', '--http-token-file', tokenFile]);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--http-token-file needs --http ADDR/);

  chmodSync(tokenFile, 0o600);
  const watcher = startWatcher(w.config, [
    '--interval',
    '0.5',
    '--http',
    `127.0.0.1:${port}`,
    '--http-token-file',
    tokenFile,
  ]);
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    let first: Response | null = null;
    while (!first && Date.now() < deadline) {
      first = await fetch(`${base}/status`).catch(() => null);
      if (!first) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(first?.status, 401, watcher.log());
    assert.equal(first?.headers.get('www-authenticate'), 'Bearer realm="ha-valet"');
    const wrong = await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer sesame-wrong' } });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${base}/status`, { headers: { Authorization: 'Bearer sesame-0123456789' } });
    assert.equal(right.status, 200);
    assert.equal(((await right.json()) as { processes: Array<{ name: string }> }).processes[0]?.name, 'Svc');
    for (const page of ['/events', '/healthz'])
      assert.equal((await fetch(`${base}${page}`)).status, 401, page);
    assert.equal((await fetch(`${base}/`)).status, 200, 'the page holds no data and loads without the token');
  } finally {
    await watcher.stop();
  }
});
