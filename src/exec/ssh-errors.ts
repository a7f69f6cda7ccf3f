/**
 * Turns what ssh2 throws while connecting into a short transport error: the
 * reason an observation reports as `unreachable`. Each reason starts with one
 * of the TRANSPORT_REASONS phrases; details may follow after ': '.
 */

export const TRANSPORT_REASONS = {
  hostKeyMismatch: 'host key mismatch',
  unknownHostKey: 'unknown host key',
  authFailed: 'authentication failed',
  refused: 'connection refused',
  connectTimeout: 'connect timed out',
  unreachable: 'host unreachable',
  notFound: 'host name not found',
  lost: 'connection lost',
  noCredentials: 'no ssh credentials',
  other: 'ssh error',
} as const;

/** Whether a connect failure is worth retrying at once (the server may be restarting or busy). */
export function isTransientConnectError(reason: string): boolean {
  return reason.startsWith(TRANSPORT_REASONS.refused) || reason.startsWith(TRANSPORT_REASONS.lost);
}

interface Ssh2Error {
  message?: string;
  code?: string;
  level?: string;
}

/** Describes a connect failure; HOSTKEY is the verifier's own finding when it refused the key. */
export function describeConnectError(
  error: unknown,
  connectTimeoutMs: number,
  hostKey: string | null,
): string {
  const e = (error ?? {}) as Ssh2Error;
  const message = e.message ?? String(error);
  if (hostKey) return hostKey;
  switch (e.code) {
    case 'ECONNREFUSED':
      return TRANSPORT_REASONS.refused;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return TRANSPORT_REASONS.unreachable;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return TRANSPORT_REASONS.notFound;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${TRANSPORT_REASONS.lost}: ${message}`;
    case 'ETIMEDOUT':
      return `${TRANSPORT_REASONS.connectTimeout} after ${connectTimeoutMs} ms`;
  }
  if (e.level === 'client-timeout' || /timed out/i.test(message)) {
    return `${TRANSPORT_REASONS.connectTimeout} after ${connectTimeoutMs} ms`;
  }
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return TRANSPORT_REASONS.authFailed;
  }
  if (/no matching host key/i.test(message)) {
    return `${TRANSPORT_REASONS.hostKeyMismatch}: the host offers none of the key types known_hosts lists for it`;
  }
  if (/Host denied/i.test(message)) return TRANSPORT_REASONS.hostKeyMismatch;
  if (/before handshake|No response from server|Not connected/i.test(message)) {
    return `${TRANSPORT_REASONS.lost}: ${message}`;
  }
  return `${TRANSPORT_REASONS.other}: ${message}`;
}
