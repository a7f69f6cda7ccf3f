/**
 * Builds etcd3 clients from EtcdSettings: every unary call has a deadline (a
 * frozen etcd would otherwise hang a call forever), TLS and password auth read
 * from files, and a per-host circuit breaker that retries a failed member after
 * 1 s instead of etcd3's default 5 s so recovery after an outage is quick.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import type { EtcdSettings } from '../config/model.js';

/** Deadline of one unary etcd call. */
export const CALL_DEADLINE_MS = 2000;

type HostPolicyFactory = NonNullable<NonNullable<IOptions['faultHandling']>['host']>;

/** Options for one client. */
export interface EtcdClientOptions {
  /** Per-call deadline; default CALL_DEADLINE_MS. */
  deadlineMs?: number;
  /** Only these endpoints (health probes use one client per member). */
  endpoints?: string[];
  /** No retries across members (health probes want one honest answer). */
  noRetry?: boolean;
}

/** A client for `settings`, with deadlines on every unary call. */
export function createEtcdClient(settings: EtcdSettings, options: EtcdClientOptions = {}): Etcd3 {
  const deadlineMs = options.deadlineMs ?? CALL_DEADLINE_MS;
  const clientOptions: IOptions = {
    hosts: options.endpoints ?? settings.endpoints,
    dialTimeout: deadlineMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + deadlineMs }),
    faultHandling: { host: quickCircuitBreaker() },
  };
  if (options.noRetry) clientOptions.faultHandling = { host: quickCircuitBreaker(), global: noopPolicy() };
  if (settings.tls) {
    const { caFile, certFile, keyFile } = settings.tls;
    clientOptions.credentials = {
      rootCertificate: caFile ? readSetting(caFile, 'etcd_ca_file') : Buffer.alloc(0),
      privateKey: keyFile ? readSetting(keyFile, 'etcd_key_file') : undefined,
      certChain: certFile ? readSetting(certFile, 'etcd_cert_file') : undefined,
    };
  }
  if (settings.auth) {
    const password = settings.auth.passwordFile
      ? readSetting(settings.auth.passwordFile, 'etcd_password_file').toString('utf8').trim()
      : '';
    clientOptions.auth = {
      username: settings.auth.username,
      password,
      callOptions: () => ({ deadline: Date.now() + deadlineMs }),
    };
  }
  return new Etcd3(clientOptions);
}

/** Reads a file named by a setting, saying which setting when it cannot. */
function readSetting(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${key} ${file}: ${(error as Error).message}`);
  }
}

/** cockatiel as etcd3 itself resolves it (a dependency of etcd3, not of ours). */
function loadCockatiel(): {
  circuitBreaker: (policy: unknown, options: unknown) => unknown;
  handleWhen: (predicate: (error: Error) => boolean) => unknown;
  ConsecutiveBreaker: new (count: number) => unknown;
  noop: unknown;
} {
  const fromHere = createRequire(import.meta.url);
  return createRequire(fromHere.resolve('etcd3'))('cockatiel') as ReturnType<typeof loadCockatiel>;
}

/** A per-member breaker: open after 3 consecutive failures, try again after 1 s. */
function quickCircuitBreaker(): HostPolicyFactory {
  const cockatiel = loadCockatiel();
  return (() =>
    cockatiel.circuitBreaker(cockatiel.handleWhen(isRecoverableError), {
      halfOpenAfter: 1000,
      breaker: new cockatiel.ConsecutiveBreaker(3),
    })) as HostPolicyFactory;
}

/** A policy that runs the call once. */
function noopPolicy(): NonNullable<IOptions['faultHandling']>['global'] {
  return loadCockatiel().noop as NonNullable<IOptions['faultHandling']>['global'];
}
