/**
 * How a command runs on the remote side so that a timeout really ends it:
 * the login shell reports its process group first (it leads one: sshd calls
 * setsid for every session) and then becomes `timeout -s KILL`, a safety net
 * that fires even when our connection is gone. On our own timeout we kill
 * the reported group from a second channel.
 */
import { BoundedCapture } from './capture.js';

/** The line the remote shell writes to stderr before the command runs. */
export const PGID_MARKER = 'HV_PGID=';

/** The remote `timeout` fires this long after ours, so ours normally wins and is the one reported. */
export const REMOTE_TIMEOUT_GRACE_MS = 2000;

/** Quotes a string for a POSIX shell. */
export function quoteShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Checks an environment variable name is usable in `env NAME=value`. */
export function checkEnvName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(
      `environment variable name ${JSON.stringify(name)} is not valid (expected [A-Za-z_][A-Za-z0-9_]*)`,
    );
  }
}

/** Builds the remote command line that wraps COMMAND; stdin is /dev/null, as for local commands. */
export function buildRemoteCommand(
  command: string,
  timeoutMs: number,
  env: Record<string, string> = {},
): string {
  const seconds = Math.max(1, Math.ceil((timeoutMs + REMOTE_TIMEOUT_GRACE_MS) / 1000));
  let envPart = '';
  for (const [name, value] of Object.entries(env)) {
    checkEnvName(name);
    envPart += `${envPart ? ' ' : 'env '}${name}=${quoteShell(value)}`;
  }
  return `echo ${PGID_MARKER}$$ >&2; exec timeout -s KILL ${seconds} ${envPart}${envPart ? ' ' : ''}sh -c ${quoteShell(command)} </dev/null`;
}

/** The command that kills a remote process group from a second channel. */
export function buildKillCommand(pgid: number): string {
  return `kill -KILL -- -${pgid} 2>/dev/null; true`;
}

/** Collects stderr, taking the PGID marker line off its front. */
export class StderrWithMarker {
  readonly output = new BoundedCapture();
  pgid: number | null = null;
  private pending: Buffer | null = Buffer.alloc(0);

  /** Feeds one chunk; the marker is looked for until the first newline. */
  push(chunk: Buffer): void {
    if (this.pending === null) {
      this.output.push(chunk);
      return;
    }
    const joined = Buffer.concat([this.pending, chunk]);
    const newline = joined.indexOf(0x0a);
    if (newline < 0 && joined.length < 64) {
      this.pending = joined;
      return;
    }
    this.pending = null;
    const first = joined.subarray(0, newline < 0 ? 0 : newline).toString('latin1');
    if (newline >= 0 && first.startsWith(PGID_MARKER)) {
      this.pgid = Number(first.slice(PGID_MARKER.length)) || null;
      this.output.push(joined.subarray(newline + 1));
    } else {
      this.output.push(joined);
    }
  }

  /** The captured stderr without the marker. */
  text(): string {
    if (this.pending && this.pending.length > 0) {
      const rest = this.pending;
      this.pending = null;
      if (!rest.toString('latin1').startsWith(PGID_MARKER)) this.output.push(rest);
    }
    return this.output.text();
  }
}
