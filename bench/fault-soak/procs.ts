/**
 * The soak's view of the process table (/proc): the service instances of one side, the processes
 * a supervisor left behind, and a process's RSS and open file descriptors.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** One-letter state from /proc/PID/stat (R, S, Z, T…). */
  state: string;
  argv: string[];
}

/** Every process on the machine that could be read (processes that end meanwhile are skipped). */
export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(name), ppid: Number(fields[1]), state: fields[0] ?? '?', argv });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** PIDs of the live demo servers (`demo-service.mjs serve HOST PORT`) for host:port. */
export function instancePids(host: string, port: number, procs = listProcesses()): number[] {
  return procs
    .filter((p) => p.state !== 'Z')
    .filter((p) => {
      const at = p.argv.indexOf('serve');
      return at > 0 && p.argv[at + 1] === host && p.argv[at + 2] === String(port);
    })
    .map((p) => p.pid);
}

/** Live processes whose command line mentions `marker`, and all their descendants. */
export function processesMentioning(marker: string, procs = listProcesses()): ProcessInfo[] {
  const live = procs.filter((p) => p.state !== 'Z' && p.pid !== process.pid);
  const found = new Map<number, ProcessInfo>();
  for (const p of live) if (p.argv.some((a) => a.includes(marker))) found.set(p.pid, p);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of live) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

/** Resident set size (kB) and open file descriptors of PID, or null once it has ended. */
export function footprint(pid: number): { rssKb: number; fds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)/m.exec(status);
    return { rssKb: rss ? Number(rss[1]) : 0, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null;
  }
}

/** Sends `signal` to PID, ignoring a process that is already gone. */
export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
