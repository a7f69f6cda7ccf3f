/**
 * Samples every 100 ms which hosts of each side have a service instance that greets ("ok HOST").
 * A sample is stamped with the time it was taken (ms since the sampler's origin) and holds, per
 * side, a bit mask of the answering hosts. Samples resolve out of order; `resolved()` gives the
 * prefix that is complete, which is what live recovery detection may look at.
 */
import { greets } from '../../test/helpers/demo-env.js';
import type { Side } from './side.js';

export const SAMPLE_MS = 100;

export interface Sample {
  t: number;
  /** Per side, bit i set when hosts[i] answered. */
  masks: number[];
}

/** Number of answering instances in a mask. */
export function answering(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n += 1;
  return n;
}

export class Sampler {
  private readonly samples: Array<Sample | undefined> = [];
  private timer: NodeJS.Timeout | null = null;
  private pending = 0;

  constructor(
    private readonly sides: Side[],
    private readonly origin: () => number,
  ) {}

  /** Starts sampling every SAMPLE_MS. */
  start(): void {
    this.timer = setInterval(() => this.take(), SAMPLE_MS);
  }

  /** Stops sampling and waits for the samples in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.pending > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** The complete samples, in time order, up to the first one still in flight. */
  resolved(): Sample[] {
    const out: Sample[] = [];
    for (const s of this.samples) {
      if (!s) break;
      out.push(s);
    }
    return out;
  }

  /** Takes one sample of every host of every side. */
  private take(): void {
    const index = this.samples.length;
    const t = this.origin();
    this.samples.push(undefined);
    this.pending += 1;
    void Promise.all(
      this.sides.map(async (side) => {
        const up = await Promise.all(side.hosts.map((h) => greets(h, side.port, 1000)));
        return up.reduce((mask, ok, i) => (ok ? mask | (1 << i) : mask), 0);
      }),
    ).then((masks) => {
      this.samples[index] = { t, masks };
      this.pending -= 1;
    });
  }
}
