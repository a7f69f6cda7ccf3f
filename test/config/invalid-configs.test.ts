/**
 * The invalid-config corpus: each fixture's first line says where the error
 * must be reported — `# expect: LINE SECTION KEY :: text` (`-` for none) — and
 * the loader must report exactly there, naming the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { parseConfigText } from '../../src/config/load-config.js';
import { fixture } from '../helpers/paths.js';

const EXPECT_RE = /^# expect: (\d+) (.+?) (\S+) :: (.+)$/;
const dir = fixture('config', 'invalid');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.cfg'))
  .sort();

test('the corpus has at least 30 invalid configs', () => {
  assert.ok(files.length >= 30, `only ${files.length} fixtures`);
});

for (const name of files) {
  test(`invalid: ${name}`, () => {
    const file = `test/fixtures/config/invalid/${name}`;
    const text = readFileSync(fixture('config', 'invalid', name), 'utf8');
    const expect = EXPECT_RE.exec(text.split('\n')[0] ?? '');
    assert.ok(expect, `${name}: first line must be '# expect: LINE SECTION KEY :: text'`);
    const [, line, section, key, message] = expect;
    const { config, diagnostics } = parseConfigText(text, file, { env: {} });
    assert.equal(config, null, 'an invalid config yields no Config');
    const lines = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    const match = lines.find(
      (l) =>
        l.startsWith(`${file}:${line}: `) &&
        (section === '-' || l.includes(`section [${section}]`)) &&
        (key === '-' || l.includes(`key '${key}'`)) &&
        l.includes(message ?? ''),
    );
    assert.ok(
      match,
      `expected an error at ${file}:${line} [${section}] '${key}' with "${message}", got:\n${lines.join('\n')}`,
    );
  });
}
