/**
 * The status endpoint (Node's http module only): GET /status (JSON report),
 * /healthz (200 or 503), /metrics (Prometheus text), /events (journal tail)
 * and / (the status page). Loopback only unless a bearer token protects it
 * (`--http-token-file`) or a non-loopback address is explicitly allowed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import type { JournalEntry } from '../state/model.js';
import { hasBearerToken } from './http-token.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import type { StatusReport } from './status-schema.js';
import { buildStatusPage } from './status-page.js';

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

export interface StatusServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Bind a non-loopback address without a token (warns); refused otherwise. */
  allowNonLoopback?: boolean;
  /** When set, every data endpoint needs `Authorization: Bearer TOKEN` (401 otherwise). */
  token?: string;
  getStatus(): Promise<StatusReport> | StatusReport;
  getMetrics(): Promise<string> | string;
  getEvents?(limit: number): Promise<JournalEntry[]> | JournalEntry[];
  health(): Promise<HealthReport> | HealthReport;
  warn?(message: string): void;
}

export interface StatusServer {
  host: string;
  port: number;
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  close(): Promise<void>;
}

const DEFAULT_EVENTS = 50;
const MAX_EVENTS = 1000;

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Parses `PORT`, `HOST:PORT` or `[V6]:PORT` as given to `watch --http`. */
export function parseListenAddress(text: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    throw new UsageError(`--http: expected PORT or HOST:PORT (e.g. 127.0.0.1:9750), got '${text}'`);
  }
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/**
 * Refuses a non-loopback address that no token protects, unless explicitly
 * allowed (a UsageError); `watch` calls it before it starts anything.
 */
export function checkListenPolicy(
  host: string,
  options: { token?: string | undefined; allowNonLoopback?: boolean | undefined },
): void {
  if (isLoopbackHost(host) || options.token !== undefined || options.allowNonLoopback) return;
  throw new UsageError(
    `refusing to serve status on ${host}: not a loopback address and no token protects it; ` +
      `give one with --http-token-file FILE, bind 127.0.0.1 (and put a proxy in front), ` +
      `or allow it without authentication explicitly (--http-allow-remote)`,
  );
}

/** Starts the server; resolves once it listens. */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const host = options.host ?? '127.0.0.1';
  checkListenPolicy(host, options);
  if (!isLoopbackHost(host) && options.token === undefined) {
    options.warn?.(
      `status endpoint bound to non-loopback address ${host} without a token: anyone who can reach it ` +
        `sees every process, host and command line`,
    );
  }
  const page = buildStatusPage();
  const server = http.createServer((req, res) => {
    handleRequest(req, res, options, page).catch((error: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Routes one request. */
async function handleRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: StatusServerOptions,
  page: { html: string; csp: string },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendJson(res, 405, { error: `method ${req.method} not allowed; use GET` });
    return;
  }
  // The page itself holds no data (its script fetches /status with the token from #token=…).
  const isPage = url.pathname === '/' || url.pathname === '/index.html';
  if (options.token !== undefined && !isPage && !hasBearerToken(req.headers.authorization, options.token)) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="ha-valet"');
    sendJson(res, 401, { error: 'missing or wrong bearer token (Authorization: Bearer TOKEN)' });
    return;
  }
  switch (url.pathname) {
    case '/':
    case '/index.html':
      res.setHeader('Content-Security-Policy', page.csp);
      send(res, 200, 'text/html; charset=utf-8', page.html);
      return;
    case '/status':
      sendJson(res, 200, await options.getStatus());
      return;
    case '/healthz': {
      const health = await options.health();
      sendJson(res, health.ok ? 200 : 503, health);
      return;
    }
    case '/metrics':
      send(res, 200, METRICS_CONTENT_TYPE, await options.getMetrics());
      return;
    case '/events': {
      const asked = Number(url.searchParams.get('limit') ?? DEFAULT_EVENTS);
      const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_EVENTS) : DEFAULT_EVENTS;
      sendJson(res, 200, { events: options.getEvents ? await options.getEvents(limit) : [] });
      return;
    }
    default:
      sendJson(res, 404, {
        error: `no such page ${url.pathname}; try /, /status, /healthz, /metrics or /events`,
      });
  }
}

/** Sends a JSON body. */
function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

/** Sends a body with its length (no body for HEAD). */
function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  const data = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': data.length });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}
