/** A strict reader of the Prometheus text exposition format, for tests. */
import assert from 'node:assert/strict';

/** A sample line of the text exposition format 0.0.4. */
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? -?(?:[0-9.e+-]+|\+Inf|NaN)$/;

/** Parses exposition text into `name{labels}` -> value, checking every line's syntax. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    assert.match(line, SAMPLE, `not a valid sample line: ${line}`);
    const cut = line.lastIndexOf(' ');
    values.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return values;
}
