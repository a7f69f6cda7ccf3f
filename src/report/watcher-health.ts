/**
 * Is a watcher looking after this config? Judged from its heartbeat file: age
 * against the staleness limit, whether its PID still lives, and whether the
 * config it loaded (by hash) is the one on disk now.
 */
import { createHash } from 'node:crypto';
import type { HeartbeatInfo } from '../state/heartbeat.js';
import type { WatcherInput } from './status-model.js';
import { isPidAlive } from '../state/atomic-file.js';

/** A heartbeat older than this many watch intervals is stale. */
export const STALE_INTERVALS = 3;
/** ...but never sooner than this (a slow pass must not look like a dead watcher). */
export const MIN_STALE_MS = 30_000;

/** The hash a watcher writes as `configHash` in its heartbeat: sha256 hex of the config file's bytes. */
export function hashConfigText(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** How old a heartbeat may be for a watcher running every `intervalMs`. */
export function staleAfterMs(intervalMs: number): number {
  return Math.max(STALE_INTERVALS * intervalMs, MIN_STALE_MS);
}

export interface WatcherCheck {
  now: number;
  /** Heartbeats older than this are stale. */
  staleAfterMs: number;
  /** Hash of the config file on disk (hashConfigText), or null when unknown. */
  configHash: string | null;
  /** Whether a PID still runs; defaults to a signal-0 probe (same machine). */
  isPidAlive?(pid: number): boolean;
}

/** Turns a heartbeat (or its absence) into the watcher part of the status input. */
export function assessWatcher(heartbeat: HeartbeatInfo | null, check: WatcherCheck): WatcherInput {
  if (!heartbeat) return { alive: false, heartbeatAt: null, pid: null, configMatches: null };
  const pidAlive = (check.isPidAlive ?? isPidAlive)(heartbeat.pid);
  const fresh = check.now - heartbeat.at <= check.staleAfterMs;
  return {
    alive: pidAlive && fresh,
    heartbeatAt: heartbeat.at,
    pid: heartbeat.pid,
    configMatches: check.configHash === null ? null : heartbeat.configHash === check.configHash,
    ...(heartbeat.lag ? { scheduleLag: heartbeat.lag } : {}),
    ...(heartbeat.checksDone !== undefined ? { checksDone: heartbeat.checksDone } : {}),
  };
}
