/**
 * `test = http://…` / `https://…`: one GET from the watcher, no redirects
 * followed, a new connection each time. A status in `expect_status` (2xx by
 * default) and a body matching `test_expect` (when set) → up; another status or
 * body → down; refused/reset → down; no answer within test_timeout, no route,
 * unknown name or a certificate that does not verify → unreachable.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { RunResult } from '../../exec/executor.js';
import type { HttpTest } from '../../config/model.js';
import {
  answeredDown,
  answeredUp,
  outcomeOfError,
  readReply,
  settleOnce,
  type NativeOutcome,
} from './reply.js';

const caFiles = new Map<string, Buffer>();

/** The `tls_ca` file, read once; throws when unreadable. */
function readCa(file: string): Buffer {
  let ca = caFiles.get(file);
  if (!ca) {
    ca = readFileSync(file);
    caFiles.set(file, ca);
  }
  return ca;
}

/** True when `status` is in one of the accepted ranges. */
function statusAccepted(test: HttpTest, status: number): boolean {
  return test.expectStatus.some(([low, high]) => status >= low && status <= high);
}

/** Runs one HTTP(S) check; `rank` is the priority when the body names none. */
export function runHttpTest(test: HttpTest, rank: number, timeoutMs: number): Promise<RunResult> {
  const secure = test.url.startsWith('https:');
  return new Promise((resolve) => {
    let ca: Buffer | undefined;
    try {
      if (secure && test.tlsCaFile) ca = readCa(test.tlsCaFile);
    } catch (error) {
      const reason = `cannot read tls_ca: ${(error as Error).message}`;
      settleOnce(resolve, timeoutMs, () => undefined)({ kind: 'unreachable', reason });
      return;
    }
    let request: http.ClientRequest | null = null;
    const finish = settleOnce(resolve, timeoutMs, () => request?.destroy());
    const options = {
      agent: false as const,
      headers: { 'user-agent': 'ha-valet', connection: 'close' },
      ...(secure ? { rejectUnauthorized: test.tlsVerify, ...(ca ? { ca } : {}) } : {}),
    };
    request = (secure ? https : http).get(test.url, options, (response) => {
      const status = response.statusCode ?? 0;
      if (!statusAccepted(test, status)) {
        finish(answeredDown(`HTTP ${status} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      if (test.expect === undefined) {
        finish(answeredUp(rank, `HTTP ${status}`));
        return;
      }
      const body = readReply(response, test.expect, rank, finish, (text) =>
        noMatch(status, test.expect!, text),
      );
      response.on('end', () => finish(noMatch(status, test.expect!, body())));
      response.on('error', (error) => finish(outcomeOfError(error, test.url)));
    });
    request.on('error', (error) => finish(outcomeOfTlsOrSocket(error, test.url)));
  });
}

/** The body ended (or hit the cap) without matching. */
function noMatch(status: number, expect: string, body: string): NativeOutcome {
  return answeredDown(`HTTP ${status} but the body did not match /${expect}/`, body);
}

/** A certificate problem is unreachable (we cannot tell it is our service); others as for TCP. */
function outcomeOfTlsOrSocket(error: NodeJS.ErrnoException, url: string): NativeOutcome {
  const code = error.code ?? '';
  if (/CERT|SELF_SIGNED|ALTNAME|SSL|TLS/.test(code))
    return { kind: 'unreachable', reason: `${url}: TLS: ${error.message}` };
  return outcomeOfError(error, url);
}
