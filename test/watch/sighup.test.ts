/**
 * SIGHUP reloads the config: an invalid new config is rejected with its
 * file:line error and the watcher keeps working on the old one; a valid
 * changed config is picked up.
 */
import assert from 'node:assert/strict';
import { access, appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDemoEnv, type DemoEnv } from '../helpers/demo-env.js';
import { HOST_A } from './helpers/scenario.js';
import { startWatcher, type WatcherProcess } from './helpers/watcher-process.js';

let env: DemoEnv;
before(async () => {
  env = await createDemoEnv();
});
after(() => env.cleanup());

/** Kills the instance on A and waits until the watcher has restarted (and verified) it there. */
async function killAndAwaitRestart(watcher: WatcherProcess): Promise<void> {
  const mark = watcher.log().length;
  process.kill((await env.pidOf(HOST_A))!, 'SIGKILL');
  await watcher.waitForLog(/INFO Svc: died on 127\.0\.0\.2[^,]*, restarted on 127\.0\.0\.2 process=Svc/, {
    from: mark,
  });
  assert.equal(await env.isUp(HOST_A), true, watcher.log());
}

test('SIGHUP: a broken config is rejected (file:line) and the old one kept; a valid one is picked up', async () => {
  const original = await readFile(env.configPath, 'utf8');
  const watcher = startWatcher(env.configPath, ['--interval', '0.3']);
  try {
    await watcher.waitForLog(/INFO Svc: was down, started on 127\.0\.0\.2 process=Svc/);

    await appendFile(env.configPath, 'max_restarts = lots\n');
    const badLine = (original + 'max_restarts = lots\n').trimEnd().split('\n').length;
    let mark = watcher.log().length;
    watcher.signal('SIGHUP');
    await watcher.waitForLog(/config reload rejected, keeping the running config/, { from: mark });
    await watcher.waitForLog(
      new RegExp(`${env.configPath.replaceAll('.', '\\.')}:${badLine}: section \\[Svc\\] key 'max_restarts'`),
      { from: mark },
    );
    await killAndAwaitRestart(watcher);

    const marker = path.join(env.dir, 'new-config-used');
    await writeFile(env.configPath, original.replace(/^start = /m, `start = touch ${marker}; `));
    mark = watcher.log().length;
    watcher.signal('SIGHUP');
    await watcher.waitForLog(/config reloaded: Svc/, { from: mark });
    await killAndAwaitRestart(watcher);
    await access(marker); // the restart used the new start command
  } finally {
    const exit = await watcher.stop();
    assert.equal(exit.code, 0, watcher.log());
  }
});
