/** Native tests in the `test` key: parsed per candidate, every problem named by FILE:LINE and key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/load-config.js';

const head = '[Web]\nhost = Host_A\nstand_by_list = Host_B\nport = 8080\nstart = s\nstop = t\n';

/** Parses `head + lines` and returns the config and the diagnostics as FILE:LINE text. */
function parse(lines: string): { result: ReturnType<typeof parseConfigText>; messages: string[] } {
  const result = parseConfigText(head + lines, 'web.cfg', { env: {} });
  const messages = result.diagnostics.map((d) => `${d.file}:${d.line}: ${d.key ?? ''}: ${d.message}`);
  return { result, messages };
}

test('tcp://{host}:{port} becomes one TCP check per candidate, with send and expect', () => {
  const { result, messages } = parse(
    'test = tcp://{host}:{port}\ntest_send = PING\\r\ntest_expect = ^\\+PONG\n',
  );
  assert.deepEqual(messages, []);
  const candidates = result.config!.processes[0]!.candidates;
  assert.deepEqual(
    candidates.map((c) => [c.commands.test, c.nativeTest]),
    [
      [
        'tcp://Host_A:8080',
        { kind: 'tcp', host: 'Host_A', port: 8080, send: 'PING\r\n', expect: '^\\+PONG' },
      ],
      [
        'tcp://Host_B:8080',
        { kind: 'tcp', host: 'Host_B', port: 8080, send: 'PING\r\n', expect: '^\\+PONG' },
      ],
    ],
  );
});

test('http and https URLs keep the path; expect_status accepts codes, ranges and classes', () => {
  const { result, messages } = parse(
    'test = https://{host}:{port}/health?x=1\nexpect_status = 200, 301-302, 4xx\ntls_verify = no\n',
  );
  assert.deepEqual(messages, []);
  assert.deepEqual(result.config!.processes[0]!.candidates[1]!.nativeTest, {
    kind: 'http',
    url: 'https://host_b:8080/health?x=1',
    expectStatus: [
      [200, 200],
      [301, 302],
      [400, 499],
    ],
    tlsVerify: false,
  });
});

test('a shell test has no native check', () => {
  const { result, messages } = parse('test = nc -z {host} {port}\n');
  assert.deepEqual(messages, []);
  assert.equal(result.config!.processes[0]!.candidates[0]!.nativeTest, undefined);
});

test('bad URLs and options are errors with file, line and key', () => {
  assert.deepEqual(parse('test = udp://{host}:{port}\n').messages, [
    "web.cfg:7: test: unsupported test scheme 'udp://': expected 'tcp://HOST:PORT', 'http://HOST[:PORT]/PATH' or 'https://HOST[:PORT]/PATH' (or a shell command)",
  ]);
  assert.deepEqual(parse('test = tcp://{host}:99999\n').messages, [
    "web.cfg:7: test: an invalid port in 'tcp://Host_A:99999': expected 'tcp://HOST:PORT', 'http://HOST[:PORT]/PATH' or 'https://HOST[:PORT]/PATH' (or a shell command)",
  ]);
  assert.deepEqual(parse('test = tcp://{host}:{port}\ntest_expect = (unclosed\n').messages, [
    "web.cfg:8: test_expect: expected a regular expression, got '(unclosed': Invalid regular expression: /(unclosed/: Unterminated group",
  ]);
  assert.deepEqual(parse('test = http://{host}:{port}/\nexpect_status = 2x\n').messages, [
    "web.cfg:8: expect_status: expected HTTP status codes like '200', '200-204' or '2xx', comma-separated, got '2x'",
  ]);
  assert.deepEqual(parse('test = tcp://{host}:{port}\nexpect_status = 200\n').messages, [
    'web.cfg:8: expect_status: not used with a tcp:// test',
  ]);
  assert.deepEqual(parse('test = nc -z {host} {port}\ntest_expect = x\n').messages, [
    "web.cfg:8: test_expect: only used with a tcp:// or http(s):// test, but 'test' is a shell command",
  ]);
});
