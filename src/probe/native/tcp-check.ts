/**
 * `test = tcp://host:port`: connect from the watcher; optionally send
 * `test_send` and wait until the reply matches `test_expect`.
 * Connected (and matched) → up, refused/reset/closed early/no match → down,
 * no answer within test_timeout, no route or unknown name → unreachable.
 */
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { RunResult } from '../../exec/executor.js';
import type { TcpTest } from '../../config/model.js';
import { connectHelper } from './connect-helper.js';
import {
  answeredDown,
  answeredUp,
  MAX_REPLY_BYTES,
  outcomeOfError,
  readReply,
  settleOnce,
  toRunResult,
  type NativeOutcome,
} from './reply.js';

/** Runs one TCP check against `test`; `rank` is the priority when the reply names none. */
export async function runTcpTest(test: TcpTest, rank: number, timeoutMs: number): Promise<RunResult> {
  const startedAt = performance.now();
  if (test.send === undefined && test.expect === undefined) {
    const helped = await connectThroughHelper(test, rank, timeoutMs);
    if (helped) return helped;
  }
  // Made from Node: the whole check, or what is left of its time after the helper failed.
  const left = Math.round(timeoutMs - (performance.now() - startedAt));
  if (left <= 0) return toRunResult({ kind: 'timeout' }, startedAt, timeoutMs);
  return connectFromNode(test, rank, left);
}

/**
 * A plain connect check made by the connect helper (connect-helper.ts); null when the
 * helper cannot be used or failed, and the check is then made from Node.
 */
async function connectThroughHelper(
  test: TcpTest,
  rank: number,
  timeoutMs: number,
): Promise<RunResult | null> {
  const helper = connectHelper();
  const startedAt = performance.now();
  const where = `${test.host}:${test.port}`;
  let ip = test.host;
  if (net.isIP(ip) === 0) {
    const found = await lookupWithin(test.host, timeoutMs);
    if (found === 'timeout') return toRunResult({ kind: 'timeout' }, startedAt, timeoutMs);
    if (found instanceof Error) return toRunResult(outcomeOfError(found, where), startedAt, timeoutMs);
    // Several addresses: Node tries them in turn (autoSelectFamily), the helper only one.
    if (found.length !== 1) return null;
    ip = found[0]!.address;
  }
  const answer = await helper.connect(
    ip,
    test.port,
    Math.max(1, timeoutMs - (performance.now() - startedAt)),
  );
  if (!answer || answer.result === null) return null;
  return toRunResult(outcomeOfAnswer(answer.result, rank, where, ip, test.port), startedAt, timeoutMs);
}

/** The addresses of `host`, an error, or 'timeout' when the resolver takes longer than `withinMs`. */
async function lookupWithin(
  host: string,
  withinMs: number,
): Promise<LookupAddress[] | NodeJS.ErrnoException | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), withinMs)));
  try {
    return await Promise.race([
      lookup(host, { all: true }).catch((error: NodeJS.ErrnoException) => error),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The helper's answer as an outcome, worded as Node words the same socket error (no Error built: refusals are common). */
export function outcomeOfAnswer(
  result: string,
  rank: number,
  where: string,
  ip: string,
  port: number,
): NativeOutcome {
  if (result === 'OK') return answeredUp(rank, `${where} accepted the connection`);
  if (result === 'T') return { kind: 'timeout' };
  return outcomeOfError(
    { code: result, message: `connect ${result} ${ip}:${port}` } as NodeJS.ErrnoException,
    where,
  );
}

/** The check made with a Node socket (tcp:// with test_send/test_expect, or no helper). */
function connectFromNode(test: TcpTest, rank: number, timeoutMs: number): Promise<RunResult> {
  const where = `${test.host}:${test.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: test.host, port: test.port });
    const finish = settleOnce(resolve, timeoutMs, () => socket.destroy());
    socket.on('error', (error) => finish(outcomeOfError(error, where)));
    if (test.send === undefined && test.expect === undefined) {
      // A plain connect check: nothing to read, no stream state to set up.
      socket.on('connect', () => finish(answeredUp(rank, `${where} accepted the connection`)));
      return;
    }
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (test.send === undefined) return;
      socket.write(test.send, () => {
        if (test.expect === undefined) finish(answeredUp(rank, `${where} accepted the line sent`));
      });
    });
    const reply = readReply(socket, test.expect ?? '', rank, finish, (text) =>
      answeredDown(`reply of ${MAX_REPLY_BYTES} bytes did not match /${test.expect}/`, text),
    );
    // The peer closed before the reply matched: it answered, but not as the service should.
    socket.on('end', () =>
      finish(
        answeredDown(`${where} closed the connection before the reply matched /${test.expect}/`, reply()),
      ),
    );
  });
}
