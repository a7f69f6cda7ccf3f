/**
 * Child process for the kill -9 test: saves ever-growing states of one process
 * in a tight loop until killed. Usage: node save-loop.js DIR PROCESS.
 * Prints "ready" after the first save. Does nothing without arguments (node --test may load it).
 */
import { FileStateStore } from '../../../src/state/state-store.js';

const [dir, name] = process.argv.slice(2);
if (dir && name) {
  const store = new FileStateStore(dir, { warn: (m) => process.stderr.write(`warn: ${m}\n`) });
  const state = await store.load(name);
  let announced = false;
  for (;;) {
    state.counters.starts += 1;
    state.startTimes = Array.from({ length: 50 }, (_, i) => Date.now() + i);
    for (let h = 0; h < 300; h += 1) {
      state.hosts[`host-${h}`] = {
        lastObservation: {
          host: `host-${h}`,
          kind: 'up',
          priority: 1,
          exitCode: 1,
          at: Date.now(),
          durationMs: state.counters.starts,
        },
        badChecks: state.counters.starts,
        failedStarts: h,
        retryAfter: null,
        upSince: Date.now(),
        reachableSince: Date.now(),
        earlyDeaths: 0,
        lastUpAt: null,
        lastFailure: null,
      };
    }
    await store.save(name, state);
    if (!announced) {
      announced = true;
      process.stdout.write('ready\n');
    }
  }
}
