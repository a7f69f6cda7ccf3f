/** Bounded capture of a command's output: keeps the first OUTPUT_CAPTURE_BYTES of a stream. */
import { OUTPUT_CAPTURE_BYTES } from './executor.js';

/** Accumulates chunks up to the cap and marks the text as cut when more arrived. */
export class BoundedCapture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private cut = false;

  /** Adds a chunk; bytes past the cap are dropped. */
  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = OUTPUT_CAPTURE_BYTES - this.size;
    if (room <= 0) {
      this.cut ||= buffer.length > 0;
      return;
    }
    const kept = buffer.length > room ? buffer.subarray(0, room) : buffer;
    this.cut ||= kept.length < buffer.length;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  /** The captured text, with a marker when output was cut. */
  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.cut ? `${text}\n[output cut at ${OUTPUT_CAPTURE_BYTES} bytes]` : text;
  }
}
