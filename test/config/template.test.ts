/** Every template form the seeds use, parsed without eval and rendered from section values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, renderTemplate } from '../../src/config/template.js';

const VALUES = { user: 'stack', host: 'Host_A', port: '8091', rank: '2' };

/** Parses and renders a template, failing the test when it does not parse. */
function render(value: string): string {
  const parsed = parseTemplate(value);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return renderTemplate(parsed.template, VALUES);
}

/** Returns the parse error of a template that must not parse. */
function parseError(value: string): string {
  const parsed = parseTemplate(value);
  assert.ok(!parsed.ok, `expected '${value}' to be rejected`);
  return parsed.error;
}

test('a Python %-expression with a tuple of names', () => {
  assert.equal(
    render(`"ssh %s@%s 'cd /srv ; ./d.py start'" % (user, host)`),
    "ssh stack@Host_A 'cd /srv ; ./d.py start'",
  );
});

test('a single name after %, bare or in parentheses, and a one-name tuple', () => {
  assert.equal(render(`"grep %s" % (port)`), 'grep 8091');
  assert.equal(render(`'grep %s' % port`), 'grep 8091');
  assert.equal(render(`"ping %s" % (host,)`), 'ping Host_A');
  assert.equal(render(`"exit %d" % rank`), 'exit 2');
});

test('escaped quotes \\\' and \\" and %% inside %-expressions', () => {
  assert.equal(
    render(`"netstat -nap | grep %s | exit $(awk \\'{print $1}\\')" % (port)`),
    "netstat -nap | grep 8091 | exit $(awk '{print $1}')",
  );
  assert.equal(render(`'echo \\"%s\\" 100%%' % host`), 'echo "Host_A" 100%');
  assert.equal(render(`"a\\$b %s" % host`), 'a\\$b Host_A', 'unknown escapes keep their backslash');
});

test('named placeholders %(name)s and {name}, quoted or not', () => {
  assert.equal(render(`"ssh %(user)s@%(host)s start"`), 'ssh stack@Host_A start');
  assert.equal(render('ssh {user}@{host} start'), 'ssh stack@Host_A start');
  assert.equal(render('"%(user)s@%(host)s:%(port)d"'), 'stack@Host_A:8091');
});

test('plain literals: quoted, unquoted, and shell text that only looks like a template', () => {
  assert.equal(render('"sudo systemctl stop wsgi"'), 'sudo systemctl stop wsgi');
  assert.equal(render('sudo systemctl stop wsgi'), 'sudo systemctl stop wsgi');
  assert.equal(render('date +%s; echo ${HOME} {a,b} {{host}}'), 'date +%s; echo ${HOME} {a,b} {host}');
  assert.equal(render(`awk '{print $1}' file`), `awk '{print $1}' file`);
  assert.equal(render(`'/opt/my dir/run.sh' --now`), `'/opt/my dir/run.sh' --now`);
  assert.equal(render('printf %%(x)s'), 'printf %(x)s');
});

test('malformed expressions are rejected with a reason', () => {
  assert.match(parseError(`"ssh %s@%s" % (user host)`), /after '%'/);
  assert.match(parseError(`"ssh %s@%s" % (user)`), /2 %s placeholder\(s\) but 1 value/);
  assert.match(parseError(`"ssh %s" % (user, host)`), /1 %s placeholder\(s\) but 2 value/);
  assert.match(parseError(`"ssh %s`), /unterminated " string/);
  assert.match(parseError(`"%(user)s %s" % (host)`), /mixes %s and %\(name\)s/);
  assert.match(parseError(`"%5d" % port`), /unsupported format '%5'/);
  assert.match(parseError(''), /empty/);
});
