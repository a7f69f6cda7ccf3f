/**
 * Watched `tcp://` checks: the connect helper checks a process's hosts on its
 * own schedule and tells the watcher only what it needs (connect-helper-script.ts):
 * every round while the process is "hot", only changed rounds while it is steady,
 * and once a second how many checks it made and how late it ran. A steady process
 * whose checks keep saying the same costs the watcher no work at all.
 *
 * Only plain connects to address literals are watched (a name would have to be
 * looked up again every round; test_send/test_expect need a reply read): such
 * processes are checked by the watcher's own cycles as before (canWatchTcp).
 */
import net from 'node:net';
import type { ProcessConfig } from '../../config/model.js';
import { classifyResult } from '../classify.js';
import type { Observation } from '../observation.js';
import { connectHelper, type ConnectHelper, type WatchSink } from './connect-helper.js';
import { toRunResult } from './reply.js';
import { outcomeOfAnswer } from './tcp-check.js';

/** A round of checks the watcher hears about: one observation per candidate, in candidate order. */
export interface WatchedRound {
  observations: Observation[];
  /** How much later than due the round began. */
  lagMs: number;
}

/** What the watcher hears besides rounds. */
export interface TcpWatchListener {
  /** `process` began a round `lagMs` late (half an interval or more, or back on time; or the worst of a second). */
  lag(process: string, lagMs: number): void;
  /** The helper made `count` checks in the last second. */
  checks(count: number): void;
}

/** Whether every check of `process` can be watched by the helper (plain tcp:// to an address literal). */
export function canWatchTcp(process: ProcessConfig): boolean {
  if (process.members || process.candidates.length === 0) return false;
  return process.candidates.every((candidate) => {
    const test = candidate.nativeTest;
    return (
      test?.kind === 'tcp' &&
      test.send === undefined &&
      test.expect === undefined &&
      net.isIP(test.host) !== 0
    );
  });
}

/** The next watch key (see TcpWatches.open). */
let nextKey = 1;

/** One process's watch. */
export class TcpWatch {
  private latest: WatchedRound | null = null;
  private waiter: ((round: WatchedRound | null) => void) | null = null;
  private hot = false;
  /** Cycles run on this watch's rounds: a round begun under an older count is stale. */
  private seq = 0;
  /** A wake (wake()) came while a cycle ran: the next cycled() keeps the watch hot. */
  private woken = false;
  alive = true;

  constructor(
    readonly process: ProcessConfig,
    private readonly key: string,
    private readonly owner: TcpWatches,
  ) {}

  /**
   * The next round to run a cycle on: the latest reported one not yet taken (rounds
   * reported while a cycle ran replace each other). Null when the watch ended (the
   * helper died, or it was closed: close() on abort).
   */
  next(): Promise<WatchedRound | null> {
    const ready = this.latest;
    this.latest = null;
    // A cycle on the round returned begins now: a wake from here on is for a later cycle.
    this.woken = false;
    if (ready || !this.alive) return Promise.resolve(this.alive ? ready : null);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Asks for a cycle on the next round, whatever it says (news may wait for the process). */
  wake(): void {
    this.woken = true;
    this.setHot(true);
  }

  /** Hot: hear every round (the process is not steady); cold: only rounds whose results changed. */
  setHot(hot: boolean): void {
    if (hot === this.hot || !this.alive) return;
    this.hot = hot;
    this.owner.send(`H ${this.key} ${hot ? 1 : 0} ${this.seq}`);
  }

  /**
   * A cycle on this watch's round ended; `hot` as in setHot (kept hot when a wake came
   * during the cycle). When it `acted` (or may have: it failed), rounds begun before now are
   * dropped: a check made before a start or a stop says nothing of what the action left, and
   * would read as a death or a split brain. A dropped round may have been the one report of
   * a change (the helper compares each round with the one before): the watch stays hot
   * then, so the next round is heard whatever it says.
   */
  cycled(hot: boolean, acted: boolean): void {
    if (!this.alive) return;
    const was = this.hot;
    this.hot = hot || this.woken;
    this.woken = false;
    if (acted) {
      this.seq++;
      if (this.latest !== null) this.hot = true;
      this.latest = null;
    }
    if (acted || this.hot !== was) this.owner.send(`H ${this.key} ${this.hot ? 1 : 0} ${this.seq}`);
  }

  get isHot(): boolean {
    return this.hot;
  }

  /** Stops the watch. */
  close(): void {
    if (!this.alive) return;
    this.owner.forget(this.key);
    this.ended();
  }

  /** A reported round (from the helper's `R` line), begun under cycle count `seq`. */
  round(round: WatchedRound, seq: number): void {
    if (seq !== this.seq) {
      this.setHot(true);
      return;
    }
    if (this.waiter) this.settle(round);
    else this.latest = round;
  }

  /** The helper ended or the watch was closed. */
  ended(): void {
    this.alive = false;
    this.latest = null;
    this.settle(null);
  }

  private settle(round: WatchedRound | null): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(round);
  }
}

/** The watches of one watcher, over the process-wide connect helper. */
export class TcpWatches implements WatchSink {
  private readonly byKey = new Map<string, TcpWatch>();

  /** The key of the last second's most late round (its lag is cleared when another is worst). */
  private worstKey: string | null = null;
  /** When the helper last said it is checking (an `N` line). */
  lastTickAt: number | null = null;
  /** When the helper was last heard from, or a watch was opened while it was silent. */
  private heardAt = Date.now();

  constructor(
    private readonly listener: TcpWatchListener,
    private readonly helper: ConnectHelper = connectHelper(),
  ) {
    helper.setWatchSink(this);
  }

  /**
   * Starts watching `process` (canWatchTcp) every `intervalMs`, the first round in
   * `offsetMs`; the first round is always reported. Null when the helper cannot be used.
   */
  open(process: ProcessConfig, intervalMs: number, offsetMs: number): TcpWatch | null {
    // Keys are unique per Node process: a line of an earlier watcher's watch (before a reload)
    // can never be read as one of a new watch.
    const key = String(nextKey++);
    const targets = process.candidates.map((c) => {
      const test = c.nativeTest as { host: string; port: number };
      return `${test.host} ${test.port}`;
    });
    const line = `W ${key} ${Math.max(1, Math.round(intervalMs))} ${Math.max(1, Math.round(process.testTimeoutMs))} ${Math.max(0, Math.round(offsetMs))} ${targets.join(' ')}`;
    const watch = new TcpWatch(process, key, this);
    if (this.byKey.size === 0) this.heardAt = Date.now();
    this.byKey.set(key, watch);
    if (!this.send(line)) {
      this.byKey.delete(key);
      return null;
    }
    return watch;
  }

  /** Sends a command to the helper; false when it cannot be used. */
  send(line: string): boolean {
    return this.helper.command(line, this.byKey.size);
  }

  /** Stops the watch of `key`. */
  forget(key: string): void {
    if (!this.byKey.delete(key)) return;
    this.send(`U ${key}`);
  }

  /** Stops every watch and lets the helper go. */
  close(): void {
    for (const watch of [...this.byKey.values()]) watch.close();
    this.helper.setWatchSink(null);
  }

  /** A line from the helper about watched checks. */
  line(line: string): void {
    this.heardAt = Date.now();
    const fields = line.split(' ');
    const kind = fields[0];
    if (kind === 'N') {
      this.lastTickAt = Date.now();
      this.listener.checks(Number(fields[1]));
      this.worst(fields[3]!, Number(fields[2]));
      return;
    }
    const watch = this.byKey.get(fields[1]!);
    if (!watch) return;
    const lagMs = Number(fields[2]);
    if (kind === 'L') this.listener.lag(watch.process.name, lagMs);
    else if (kind === 'R' && fields.length === 4 + 2 * watch.process.candidates.length)
      watch.round({ observations: observationsOf(watch.process, fields), lagMs }, Number(fields[3]));
  }

  /**
   * Whether the helper, holding watches, has said nothing for `silentMs` (it tallies every
   * second): stopped or hung without exiting, it checks nothing. The caller ends it (kill).
   */
  stalled(silentMs: number, now = Date.now()): boolean {
    return this.byKey.size > 0 && now - this.heardAt > silentMs;
  }

  /** Ends the helper (see stalled); its watches end through lost(). */
  killHelper(): void {
    this.helper.kill();
  }

  /** The helper ended: every watch ended with it (the watcher checks by itself until it watches again). */
  lost(): void {
    const watches = [...this.byKey.values()];
    this.byKey.clear();
    for (const watch of watches) watch.ended();
  }

  /** Records the last second's most late round; the one before it no longer counts as that late. */
  private worst(key: string, lagMs: number): void {
    const before = this.worstKey === null ? undefined : this.byKey.get(this.worstKey);
    if (before && this.worstKey !== key) this.listener.lag(before.process.name, 0);
    const watch = this.byKey.get(key);
    this.worstKey = watch ? key : null;
    if (watch) this.listener.lag(watch.process.name, lagMs);
  }
}

/** The observations of an `R` line: `R key lag seq result ms result ms …`, one pair per candidate. */
function observationsOf(process: ProcessConfig, fields: string[]): Observation[] {
  const at = Date.now();
  return process.candidates.map((candidate, index) => {
    const test = candidate.nativeTest as { host: string; port: number };
    const result = fields[4 + index * 2] ?? 'EIO';
    const ms = Number(fields[5 + index * 2] ?? 0);
    const outcome = outcomeOfAnswer(
      result,
      candidate.rank,
      `${test.host}:${test.port}`,
      test.host,
      test.port,
    );
    return classifyResult(
      candidate.host,
      toRunResult(outcome, performance.now() - ms, process.testTimeoutMs),
      at,
    );
  });
}
