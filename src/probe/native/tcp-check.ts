/**
 * `test = tcp://host:port`: connect from the watcher; optionally send
 * `test_send` and wait until the reply matches `test_expect`.
 * Connected (and matched) → up, refused/reset/closed early/no match → down,
 * no answer within test_timeout, no route or unknown name → unreachable.
 */
import net from 'node:net';
import type { RunResult } from '../../exec/executor.js';
import type { TcpTest } from '../../config/model.js';
import { answeredDown, answeredUp, MAX_REPLY_BYTES, outcomeOfError, readReply, settleOnce } from './reply.js';

/** Runs one TCP check against `test`; `rank` is the priority when the reply names none. */
export function runTcpTest(test: TcpTest, rank: number, timeoutMs: number): Promise<RunResult> {
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
