/** Collects a child's output chunks and hands out complete lines (the helpers' reply protocol). */
export class LineBuffer {
  private rest = '';

  /** Adds `chunk`; calls `onLine` for every line it completes, in order. */
  push(chunk: string, onLine: (line: string) => void): void {
    this.rest += chunk;
    let newline: number;
    while ((newline = this.rest.indexOf('\n')) >= 0) {
      const line = this.rest.slice(0, newline);
      this.rest = this.rest.slice(newline + 1);
      onLine(line);
    }
  }

  /** Drops a partial line (the child is gone). */
  clear(): void {
    this.rest = '';
  }
}
