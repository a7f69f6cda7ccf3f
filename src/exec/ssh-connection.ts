/**
 * One SSH connection to one user@host:port: connected with a host key
 * verifier against known_hosts (key type pinned), a connect timeout,
 * keepalive and TCP_NODELAY (Nagle costs ~44 ms per command otherwise).
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NodeSSH } from 'node-ssh';
import type { SshSettings } from '../config/model.js';
import {
  fingerprintOf,
  hostKeyAlgorithmsFor,
  keyTypeOfBlob,
  knownKeyTypes,
  loadKnownHosts,
  verifyHostKey,
  type KnownHostEntry,
} from './known-hosts.js';
import { resolveCredentials } from './ssh-auth.js';
import { TRANSPORT_REASONS, describeConnectError } from './ssh-errors.js';

/** Keepalive: a ping every 10 s, the connection is dropped after 3 unanswered. */
export const KEEPALIVE_INTERVAL_MS = 10_000;
export const KEEPALIVE_COUNT_MAX = 3;

/**
 * How long close() lets the host answer our disconnect before the socket is
 * destroyed. ssh2's end() half-closes and waits for the peer's FIN, its
 * keepalive stops once the socket is no longer writable, and its destroy() is a
 * no-op after end(): a host cut off (or frozen) would hold the socket, and so
 * the process, open for as long as TCP retransmits (or forever).
 */
export const CLOSE_GRACE_MS = 1000;

/** Where a connection goes and how it authenticates. */
export interface SshTarget {
  host: string;
  user: string;
  settings: SshSettings;
}

/** Logs a warning (the opt-out of host key checks uses it on every connect). */
export type WarnFn = (message: string) => void;

/** The known_hosts file to use: `ssh_known_hosts` or ~/.ssh/known_hosts. */
export function knownHostsFileOf(settings: SshSettings): string {
  return settings.knownHostsFile ?? path.join(os.homedir(), '.ssh', 'known_hosts');
}

/** user@host:port, the name of a connection in messages and pool keys. */
export function describeTarget(target: SshTarget): string {
  return `${target.user}@${target.host}:${target.settings.port}`;
}

/** The parts of an ssh2 exec channel the executor uses. */
export interface ExecChannel {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown };
  /** Writes to the remote command's stdin (the remote runner's requests). */
  write(data: string): unknown;
  close(): unknown;
  destroy(): unknown;
}

/** Called once the exec channel is open (or could not be opened). */
export type ExecCallback = (error: Error | undefined, channel?: ExecChannel) => void;

/** The ssh2 client method behind node-ssh's connection that exec uses. */
interface Ssh2Client {
  exec(command: string, callback: ExecCallback): void;
}

export class SshConnection {
  /** Commands currently running on this connection. */
  inFlight = 0;
  /** False once the connection failed or closed; it is then never used again. */
  alive = true;
  /** True once logged in (until then commands wait on ready). */
  connected = false;
  /** Resolves with null when ready, or with the transport error. */
  readonly ready: Promise<string | null>;
  private readonly ssh = new NodeSSH();
  /** The TCP socket under the SSH session; null before connect() made it. */
  private sock: net.Socket | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly target: SshTarget,
    private readonly warn: WarnFn,
  ) {
    this.ready = this.connect().then((error) => {
      if (error) this.alive = false;
      else this.connected = true;
      return error;
    });
  }

  /**
   * Opens an exec channel on the ssh2 client that node-ssh connected. Not
   * node-ssh's execCommand: it keeps all output in memory, adds an error
   * listener per command and ends stdin with an extra packet.
   */
  exec(command: string, callback: ExecCallback): void {
    const client = this.ssh.connection as Ssh2Client | null;
    if (!client) {
      callback(new Error('Not connected'));
      return;
    }
    try {
      client.exec(command, callback);
    } catch (error) {
      callback(error as Error);
    }
  }

  /**
   * Ends the connection: says goodbye, then destroys the socket if the host has
   * not closed it within CLOSE_GRACE_MS (a dead link must not hold the process).
   * Resolves once the socket is closed; idempotent.
   */
  close(): Promise<void> {
    this.alive = false;
    this.closing ??= this.closeSocket();
    return this.closing;
  }

  private closeSocket(): Promise<void> {
    const sock = this.sock;
    // Still logging in: there is no session to end politely.
    if (!this.connected) sock?.destroy();
    this.ssh.dispose();
    if (!sock || sock.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => sock.destroy(), CLOSE_GRACE_MS);
      sock.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Connects and authenticates; returns a transport error instead of throwing. */
  private async connect(): Promise<string | null> {
    const { host, user, settings } = this.target;
    const credentials = await resolveCredentials(settings.keyFile);
    if (typeof credentials === 'string') return `${TRANSPORT_REASONS.noCredentials}: ${credentials}`;
    const knownHostsFile = knownHostsFileOf(settings);
    let entries: KnownHostEntry[] = [];
    if (settings.verifyHostKey) {
      try {
        entries = await loadKnownHosts(knownHostsFile);
      } catch (error) {
        return `${TRANSPORT_REASONS.unknownHostKey}: cannot read ssh_known_hosts ${knownHostsFile}: ${(error as Error).message}`;
      }
    }
    let hostKeyProblem: string | null = null;
    const hostVerifier = (key: Buffer): boolean => {
      if (!settings.verifyHostKey) {
        this.warn(
          `ssh: host key of ${describeTarget(this.target)} NOT verified (ssh_verify_host_key = false); ` +
            `it offered ${keyTypeOfBlob(key)} ${fingerprintOf(key)}`,
        );
        return true;
      }
      const verdict = verifyHostKey(entries, host, settings.port, key);
      if (verdict.status === 'ok') return true;
      const reason =
        verdict.status === 'unknown' ? TRANSPORT_REASONS.unknownHostKey : TRANSPORT_REASONS.hostKeyMismatch;
      hostKeyProblem = `${reason}: ${verdict.detail} (${knownHostsFile})`;
      return false;
    };
    const pinned = hostKeyAlgorithmsFor(knownKeyTypes(entries, host, settings.port));
    if (!this.alive) return `${TRANSPORT_REASONS.lost}: connection closed`;
    const sock = net.connect({ host, port: settings.port, noDelay: true });
    this.sock = sock;
    sock.setNoDelay(true);
    try {
      await this.ssh.connect({
        sock,
        username: user,
        privateKey: credentials.privateKey,
        agent: credentials.agent,
        readyTimeout: settings.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        hostVerifier,
        ...(pinned.length > 0 ? { algorithms: { serverHostKey: pinned } } : {}),
      } as Parameters<NodeSSH['connect']>[0]);
    } catch (error) {
      sock.destroy();
      this.ssh.dispose();
      return describeConnectError(error, settings.connectTimeoutMs, hostKeyProblem);
    }
    const client = this.ssh.connection;
    if (!client) return `${TRANSPORT_REASONS.lost}: closed right after login`;
    // close() was called while logging in: end what just opened.
    if (!this.alive) {
      sock.destroy();
      this.ssh.dispose();
      return `${TRANSPORT_REASONS.lost}: connection closed`;
    }
    client.on('error', () => (this.alive = false));
    client.on('close', () => (this.alive = false));
    client.on('end', () => (this.alive = false));
    return null;
  }
}
