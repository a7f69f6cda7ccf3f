/** A sleep that ends early when its signal aborts (the watcher's stop). */

/**
 * Sleepers waiting on each signal. One 'abort' listener per signal wakes them all:
 * adding and removing an EventTarget listener on every sleep of every process loop
 * cost more CPU than the timer itself at a thousand sleeps a second.
 */
const sleepers = new WeakMap<AbortSignal, Set<() => void>>();

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  let waiting = sleepers.get(signal);
  if (!waiting) {
    const set = new Set<() => void>();
    waiting = set;
    sleepers.set(signal, set);
    signal.addEventListener('abort', () => [...set].forEach((wake) => wake()), { once: true });
  }
  const set = waiting;
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      set.delete(done);
      resolve();
    }
    set.add(done);
  });
}
