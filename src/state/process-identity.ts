/**
 * Who a process is, robust to PID reuse: PID plus its start time from
 * /proc/<pid>/stat (clock ticks since boot) plus the boot id. Off Linux the
 * start time and boot id are null and only the PID is compared.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { isPidAlive } from './atomic-file.js';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat, or null when unavailable. */
  startTime: string | null;
  bootId: string | null;
  hostname: string;
}

let self: ProcessIdentity | undefined;

/** This process's identity (computed once). */
export function selfIdentity(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    startTime: readStartTime(process.pid),
    bootId: readBootId(),
    hostname: os.hostname(),
  };
  return self;
}

/** The start time of `pid` from /proc, or null when it cannot be read (no such process, not Linux). */
export function readStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall = index 19 after state (field 3)
  } catch {
    return null;
  }
}

/** The kernel's boot id, or null off Linux. */
function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** 'alive', 'dead', or 'unknown' (another host: cannot tell) for a recorded identity. */
export function checkIdentity(other: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  const me = selfIdentity();
  if (other.hostname !== me.hostname) return 'unknown';
  if (other.bootId && me.bootId && other.bootId !== me.bootId) return 'dead';
  if (!isPidAlive(other.pid)) return 'dead';
  if (other.startTime !== null) {
    const now = readStartTime(other.pid);
    if (now !== null && now !== other.startTime) return 'dead'; // the PID was reused
  }
  return 'alive';
}
