/**
 * The shared record of one job (in the state dir, or in etcd): which slot was
 * claimed last, the run in progress, the last result and counters. Written
 * only with compare-and-set, so after a takeover no slot runs twice.
 */

/** One finished run. */
export interface JobRun {
  /** The slot's start (epoch ms); null for `run-job` runs outside the schedule. */
  slot: number | null;
  host: string | null;
  startedAt: number;
  finishedAt: number;
  exitCode: number | null;
  ok: boolean;
  durationMs: number;
  /** The last lines of stdout and stderr. */
  outputTail: string;
  reason: string;
  /** Asked for with `run-job`. */
  manual?: boolean;
}

/** The run a leader claimed and has not finished (yet). */
export interface RunningJob {
  slot: number | null;
  startedAt: number;
  /** Watcher id of the runner. */
  by: string;
  /** Past this (startedAt + timeout + grace) the run is over, even if its runner died. */
  deadline: number;
}

/** A `run-job` request waiting for the acting watcher. */
export interface JobRequest {
  by: string;
  at: number;
}

export interface JobState {
  version: 1;
  /** The latest slot claimed (run or skipped), epoch ms, or null before the first. */
  lastSlot: number | null;
  running: RunningJob | null;
  lastRun: JobRun | null;
  /** Failed runs in a row (for Nagios). */
  failuresInRow: number;
  counters: { runs: number; failures: number; skipped: number };
  request: JobRequest | null;
}

/** The record of a job never run. */
export function emptyJobState(): JobState {
  return {
    version: 1,
    lastSlot: null,
    running: null,
    lastRun: null,
    failuresInRow: 0,
    counters: { runs: 0, failures: 0, skipped: 0 },
    request: null,
  };
}

/** Reads a stored record; anything unreadable or of another shape reads as empty. */
export function parseJobState(text: string | null): JobState {
  if (text === null) return emptyJobState();
  try {
    const value = JSON.parse(text) as Partial<JobState>;
    if (value?.version !== 1 || typeof value.counters !== 'object') return emptyJobState();
    return { ...emptyJobState(), ...value } as JobState;
  } catch {
    return emptyJobState();
  }
}
