/**
 * Child process for the lock tests: tries to take the pass lock once.
 * Usage: node lock-contender.js LOCKPATH [GO_AT_EPOCH_MS].
 * Prints "won <pid>" and holds the lock until killed or stdin closes, or prints
 * "held <message>" and exits 3. Does nothing without arguments.
 */
import { LockHeldError } from '../../../src/errors.js';
import { acquirePassLock } from '../../../src/state/pass-lock.js';

const [lockPath, goAt] = process.argv.slice(2);
if (lockPath) {
  // Start together with the other contenders, to make the race real.
  const delay = Number(goAt ?? 0) - Date.now();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  try {
    const lock = await acquirePassLock(lockPath);
    process.stdout.write(`won ${process.pid}\n`);
    process.stdin.resume();
    process.stdin.on('end', () => void lock.release().then(() => process.exit(0)));
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    process.stdout.write(`held ${error.message}\n`);
    process.exitCode = 3;
  }
}
