/**
 * Native tests (issue 14): `test = tcp://{host}:{port}` or `http(s)://…` instead
 * of a shell line, with their options `test_send`, `test_expect`,
 * `expect_status`, `tls_verify` and `tls_ca`. Options are read once per section;
 * the URL is parsed per candidate after its template was rendered.
 */
import type { HttpTest, NativeTest } from './model.js';
import { DEFAULT_SECTION, type RawEntry } from './read-sections.js';
import type { SectionReader } from './section-reader.js';
import { parseHost, parsePort } from './values.js';

/** `scheme://` at the start of a test value marks a native test (or an unsupported scheme). */
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const NATIVE_SCHEMES = ['tcp', 'http', 'https'];
const STATUS_ITEM_RE = /^(?:([1-5])xx|(\d{3})(?:-(\d{3}))?)$/i;
const NATIVE_ONLY_KEYS = ['test_send', 'test_expect', 'expect_status', 'tls_verify', 'tls_ca'] as const;

export const NATIVE_TEST_FORM =
  "'tcp://HOST:PORT', 'http://HOST[:PORT]/PATH' or 'https://HOST[:PORT]/PATH' (or a shell command)";

/** A section's native test options, validated. */
export interface NativeTestOptions {
  scheme: 'tcp' | 'http' | 'https';
  entry: RawEntry;
  send?: string;
  expect?: string;
  expectStatus: Array<[number, number]>;
  tlsVerify: boolean;
  tlsCaFile?: string;
  /** Set once a URL problem was reported: the other candidates' URLs share it. */
  reported?: boolean;
}

/** Reads the native test options of a section; null when `test` is a shell command (or missing). */
export function readNativeTestOptions(r: SectionReader): NativeTestOptions | null {
  const entry = r.entry('test');
  const scheme = entry ? SCHEME_RE.exec(entry.value.trim())?.[1]?.toLowerCase() : undefined;
  if (!entry || scheme === undefined) {
    for (const key of NATIVE_ONLY_KEYS) {
      const extra = r.entry(key);
      // A [DEFAULT] value applies only to the sections whose test is a URL.
      if (extra && r.where(extra).section !== DEFAULT_SECTION)
        r.fail(extra, `only used with a tcp:// or http(s):// test, but 'test' is a shell command`);
    }
    return null;
  }
  if (!NATIVE_SCHEMES.includes(scheme)) {
    r.fail(entry, `unsupported test scheme '${scheme}://': expected ${NATIVE_TEST_FORM}`);
    return null;
  }
  const options: NativeTestOptions = {
    scheme: scheme as NativeTestOptions['scheme'],
    entry,
    expectStatus: readExpectStatus(r),
    tlsVerify: r.bool('tls_verify', true),
  };
  const send = r.text('test_send');
  if (send !== undefined) options.send = decodeEscapes(send);
  const expect = readExpect(r);
  if (expect !== undefined) options.expect = expect;
  const ca = r.filePath('tls_ca');
  if (ca !== undefined) options.tlsCaFile = ca;
  rejectForeignOptions(r, options);
  return options;
}

/** Builds one candidate's native test from its rendered URL; reports an error and returns null when invalid. */
export function buildNativeTest(
  r: SectionReader,
  options: NativeTestOptions,
  url: string,
): NativeTest | null {
  const problem = (what: string): null => {
    if (!options.reported) r.fail(options.entry, `${what} in '${url}': expected ${NATIVE_TEST_FORM}`);
    options.reported = true;
    return null;
  };
  if (options.scheme === 'tcp') {
    const match = /^tcp:\/\/(?:\[([^\]]+)\]|(.+)):([^:]+)$/i.exec(url.trim());
    if (!match) return problem('no host and port');
    const host = parseHost(match[1] ?? match[2] ?? '');
    const port = parsePort(match[3] ?? '');
    if (host === null) return problem('an invalid host');
    if (port === null) return problem('an invalid port');
    return {
      kind: 'tcp',
      host,
      port,
      ...(options.send !== undefined ? { send: options.send } : {}),
      ...(options.expect !== undefined ? { expect: options.expect } : {}),
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return problem('an invalid URL');
  }
  if (parsed.username || parsed.password) return problem('credentials in the URL (not supported)');
  const test: HttpTest = {
    kind: 'http',
    url: parsed.href,
    expectStatus: options.expectStatus,
    tlsVerify: options.tlsVerify,
  };
  if (options.expect !== undefined) test.expect = options.expect;
  if (options.tlsCaFile !== undefined) test.tlsCaFile = options.tlsCaFile;
  return test;
}

/** `expect_status`: comma-separated codes (`200`), ranges (`200-204`) or classes (`2xx`); default 2xx. */
function readExpectStatus(r: SectionReader): Array<[number, number]> {
  const text = r.text('expect_status');
  if (text === undefined) return [[200, 299]];
  const ranges: Array<[number, number]> = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    const match = STATUS_ITEM_RE.exec(item);
    const range: [number, number] | null = match
      ? match[1]
        ? [Number(match[1]) * 100, Number(match[1]) * 100 + 99]
        : [Number(match[2]), Number(match[3] ?? match[2])]
      : null;
    if (!range || range[0] < 100 || range[1] > 599 || range[0] > range[1]) {
      r.fail(
        r.entry('expect_status')!,
        `expected HTTP status codes like '200', '200-204' or '2xx', comma-separated, got '${text}'`,
      );
      return [[200, 299]];
    }
    ranges.push(range);
  }
  return ranges;
}

/** `test_expect`: a JavaScript regular expression; its `priority` group, if any, is read as the priority. */
function readExpect(r: SectionReader): string | undefined {
  const text = r.text('test_expect');
  if (text === undefined) return undefined;
  try {
    new RegExp(text);
  } catch (error) {
    r.fail(
      r.entry('test_expect')!,
      `expected a regular expression, got '${text}': ${(error as Error).message}`,
    );
    return undefined;
  }
  return text;
}

/** Options of the other kind of native test are errors (set in the section itself). */
function rejectForeignOptions(r: SectionReader, options: NativeTestOptions): void {
  const foreign = options.scheme === 'tcp' ? ['expect_status', 'tls_verify', 'tls_ca'] : ['test_send'];
  for (const key of foreign) {
    const entry = r.entry(key);
    if (entry && r.where(entry).section !== DEFAULT_SECTION)
      r.fail(entry, `not used with a ${options.scheme}:// test`);
  }
  if (
    options.scheme === 'http' &&
    r.entry('tls_ca') &&
    r.where(r.entry('tls_ca')!).section !== DEFAULT_SECTION
  )
    r.fail(r.entry('tls_ca')!, 'only used with an https:// test');
}

/** Decodes \n, \r, \t and \\ and ends the text with a newline unless it ends with one already. */
function decodeEscapes(text: string): string {
  const decoded = text.replace(/\\([nrt\\])/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : '\\',
  );
  return decoded.endsWith('\n') ? decoded : `${decoded}\n`;
}
