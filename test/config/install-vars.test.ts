/** @NAME@ placeholders: environment, then [DEFAULT], then --define; unresolved ones are errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { parseConfigText } from '../../src/config/load-config.js';

const BODY =
  '[A]\nhost = h\nstart = "cd @APP_DIR@ && ./run %s" % host\nstop = cd @APP_DIR@ && ./stop\ntest = c\n';

/** The rendered start command for host h. */
function startCommand(text: string, env: NodeJS.ProcessEnv, defines: Record<string, string> = {}): string {
  const { config, diagnostics } = parseConfigText(text, 'v.cfg', { env, defines });
  assert.ok(config, diagnostics.map(formatDiagnostic).join('\n'));
  return config.processes[0]?.candidates[0]?.commands.start ?? '';
}

test('from the environment', () => {
  assert.equal(startCommand(BODY, { APP_DIR: '/env/app' }), 'cd /env/app && ./run h');
});

test('from an UPPERCASE key in [DEFAULT] (either dialect)', () => {
  assert.equal(startCommand(`[DEFAULT]\nAPP_DIR = /default/app\n${BODY}`, {}), 'cd /default/app && ./run h');
  assert.equal(startCommand(`:DEFAULT\n  APP_DIR = /readme/app\n${BODY}`, {}), 'cd /readme/app && ./run h');
});

test('from --define', () => {
  assert.equal(startCommand(BODY, {}, { APP_DIR: '/cli/app' }), 'cd /cli/app && ./run h');
});

test('lookup order: environment, then [DEFAULT], then --define', () => {
  const text = `[DEFAULT]\nAPP_DIR = /default/app\n${BODY}`;
  assert.equal(startCommand(text, { APP_DIR: '/env/app' }, { APP_DIR: '/cli' }), 'cd /env/app && ./run h');
  assert.equal(startCommand(text, {}, { APP_DIR: '/cli' }), 'cd /default/app && ./run h');
});

test('in scalar values and hooks too', () => {
  const text = '[A]\nhost = @APP_HOST@\nstart = a\nstop = b\ntest = c\non_failed = @NOTIFY@ {process}\n';
  const { config } = parseConfigText(text, 'v.cfg', {
    env: {},
    defines: { APP_HOST: 'node1', NOTIFY: '/bin/notify' },
  });
  assert.equal(config?.processes[0]?.host, 'node1');
  assert.equal(config?.processes[0]?.hooks.onFailed[0]?.command, '/bin/notify {process}');
});

test('an unresolved name is an error naming it, on every line that uses it', () => {
  const { config, diagnostics } = parseConfigText(BODY, 'v.cfg', { env: {} });
  assert.equal(config, null);
  assert.deepEqual(diagnostics.map(formatDiagnostic), [
    "v.cfg:3: section [A] key 'start': unresolved placeholder @APP_DIR@: set the environment variable APP_DIR, add 'APP_DIR = …' to [DEFAULT], or pass --define APP_DIR=VALUE",
    "v.cfg:4: section [A] key 'stop': unresolved placeholder @APP_DIR@: set the environment variable APP_DIR, add 'APP_DIR = …' to [DEFAULT], or pass --define APP_DIR=VALUE",
  ]);
});

test('a substituted host is still validated', () => {
  const { config, diagnostics } = parseConfigText(
    '[A]\nhost = @H@\nstart = a\nstop = b\ntest = c\n',
    'v.cfg',
    {
      env: { H: 'x;reboot' },
    },
  );
  assert.equal(config, null);
  assert.match(
    formatDiagnostic(diagnostics[0]!),
    /^v\.cfg:2: section \[A\] key 'host': expected a host name.*got 'x;reboot'$/,
  );
});
