/**
 * Runs one job once: on the most preferred host that can run it (a host that
 * cannot be reached is passed over for the next), or, with `with = PROCESS`,
 * only on the host where that process is active. Returns the run as data.
 */
import type { ExecutorPool, RunResult } from '../exec/executor.js';
import { describeFailure } from '../act/context.js';
import type { JobCandidate, JobConfig } from './job-config.js';
import type { JobRun } from './job-state.js';
import { jobCommand } from './build-job.js';

/** Characters of output kept in the journal and status. */
export const OUTPUT_TAIL_CHARS = 500;

export interface JobRunContext {
  pool: ExecutorPool;
  now(): number;
  /** Checked before each host is tried: false stops (leadership lost, shutting down). */
  mayRun(): boolean;
  /** The active host of a process (for `with`), or null when it runs nowhere. */
  activeHostOf(process: string): Promise<string | null>;
}

/** A host that could not run the command at all (ssh's 255 included): try the next one. */
function unreachable(result: RunResult): boolean {
  return result.transportError !== null || result.exitCode === 255;
}

/** The last OUTPUT_TAIL_CHARS of stdout and stderr together. */
function outputTail(result: RunResult): string {
  const text = [result.stdout.trimEnd(), result.stderr.trimEnd()].filter((t) => t !== '').join('\n');
  return text.length > OUTPUT_TAIL_CHARS ? `…${text.slice(-OUTPUT_TAIL_CHARS)}` : text;
}

/** The hosts to try, in order: preference order, the last run's host first when sticky. */
async function hostsToTry(
  job: JobConfig,
  context: JobRunContext,
  lastHost: string | null,
): Promise<JobCandidate[] | string> {
  if (job.withProcess === null) {
    const last = job.sticky ? job.candidates.find((c) => c.host === lastHost) : undefined;
    return last ? [last, ...job.candidates.filter((c) => c !== last)] : job.candidates;
  }
  const active = await context.activeHostOf(job.withProcess);
  const candidate = job.candidates.find((c) => c.host === active);
  if (!candidate) return `${job.withProcess} is not active on any host of this job`;
  return [candidate];
}

/** Runs `job` for `slot` (null: a run asked for with run-job); `lastHost` ran the previous run. */
export async function runJobOnce(
  job: JobConfig,
  slot: number | null,
  context: JobRunContext,
  lastHost: string | null = null,
): Promise<JobRun> {
  const startedAt = context.now();
  const finish = (fields: Omit<JobRun, 'slot' | 'startedAt' | 'finishedAt' | 'durationMs'>): JobRun => {
    const finishedAt = context.now();
    return { slot, startedAt, finishedAt, durationMs: finishedAt - startedAt, ...fields };
  };
  const hosts = await hostsToTry(job, context, lastHost);
  if (typeof hosts === 'string') {
    return finish({ host: null, exitCode: null, ok: false, outputTail: '', reason: `not run: ${hosts}` });
  }
  const passedOver: string[] = [];
  for (const candidate of hosts) {
    if (!context.mayRun()) break;
    const command = jobCommand(candidate, slot ?? startedAt);
    const executor = context.pool.forCandidate(job, candidate);
    const result = await executor.run(command, {
      timeoutMs: job.timeoutMs,
      env: { HA_VALET_JOB: job.name, HA_VALET_SLOT: String(Math.floor((slot ?? startedAt) / 1000)) },
    });
    if (unreachable(result)) {
      passedOver.push(`${candidate.host}: ${describeFailure(result)}`);
      continue;
    }
    const ok = result.exitCode === 0 && !result.timedOut;
    const skipped = passedOver.length > 0 ? ` (passed over ${passedOver.join('; ')})` : '';
    return finish({
      host: candidate.host,
      exitCode: result.exitCode,
      ok,
      outputTail: outputTail(result),
      reason: `${ok ? 'ok' : `failed, ${describeFailure(result)}`} on ${candidate.host}${skipped}`,
    });
  }
  const why = passedOver.length > 0 ? passedOver.join('; ') : 'not acting';
  return finish({
    host: null,
    exitCode: null,
    ok: false,
    outputTail: '',
    reason: `no host could run it (${why})`,
  });
}
