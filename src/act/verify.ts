/** Re-tests a host until it reports the wanted state or the deadline passes. */
import type { Candidate, ProcessConfig } from '../config/model.js';
import { classifyResult } from '../probe/classify.js';
import type { Observation } from '../probe/observation.js';
import { runLogged, type ActContext } from './context.js';

/**
 * First pause between verify tests; grows by half up to VERIFY_MAX_PAUSE_MS. Tests at
 * 0, 50, 125, 240, 410, 660 ms… after the start: a service that listens 0.35 s after its
 * start is seen up at 0.41 s (doubling from 100 ms saw it at 0.7 s), and a slow one
 * costs a test a second at most.
 */
const VERIFY_FIRST_PAUSE_MS = 50;
const VERIFY_PAUSE_GROWTH = 1.5;
const VERIFY_MAX_PAUSE_MS = 1000;

/** Tests `candidate` until `wanted(observation)` or `withinMs` elapse; returns the last observation. */
export async function verifyUntil(
  context: ActContext,
  process: ProcessConfig,
  candidate: Candidate,
  wanted: (observation: Observation) => boolean,
  withinMs: number,
): Promise<{ ok: boolean; observation: Observation }> {
  const deadline = context.now() + withinMs;
  let pause = VERIFY_FIRST_PAUSE_MS;
  // The first test always gets a full test_timeout, however long the start itself took.
  let first = true;
  for (;;) {
    const timeout = first
      ? process.testTimeoutMs
      : Math.max(1, Math.min(process.testTimeoutMs, deadline - context.now()));
    first = false;
    const result = await runLogged(context, process, candidate, 'test', timeout);
    const observation = classifyResult(candidate.host, result, context.now());
    if (wanted(observation)) return { ok: true, observation };
    if (context.now() + pause > deadline) return { ok: false, observation };
    await context.sleep(pause);
    pause = Math.min(Math.round(pause * VERIFY_PAUSE_GROWTH), VERIFY_MAX_PAUSE_MS);
  }
}
