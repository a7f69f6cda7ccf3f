/** CPU time from /proc, in ms: a process's own, and its reaped children's. */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

export interface ProcCpu {
  selfMs: number;
  childrenMs: number;
}

/** utime+stime and cutime+cstime of `pid` ('self' for this process); zeros when it is gone. */
export function procCpu(pid: number | 'self'): ProcCpu {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const n = (i: number): number => Number(fields[i - 3]);
    return { selfMs: (n(14) + n(15)) * TICK_MS, childrenMs: (n(16) + n(17)) * TICK_MS };
  } catch {
    return { selfMs: 0, childrenMs: 0 };
  }
}

/** Peak resident set size of `pid` in MB (VmHWM), or 0 when it is gone. */
export function peakRssMb(pid: number | 'self'): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
