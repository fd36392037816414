/** A one-line progress bar on stderr, redrawn at most ten times a second. */
import type { Progress } from '../engine/types.js';

export class ProgressBar {
  private last = 0;
  private readonly started = performance.now();
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly label: string,
    private readonly columns = 80,
  ) {}

  update(p: Progress): void {
    const now = performance.now();
    if (now - this.last < 100 && p.done < p.total) return;
    this.last = now;
    const fraction = p.total > 0 ? p.done / p.total : 1;
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : 0;
    const tail = ` ${(100 * fraction).toFixed(0).padStart(3)}% ${elapsed.toFixed(1)} s${fraction < 1 && fraction > 0 ? `, ${eta.toFixed(0)} s left` : ''}`;
    const width = Math.max(10, Math.min(40, this.columns - this.label.length - tail.length - 4));
    const filled = Math.round(fraction * width);
    this.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar so what follows starts on a clean line. */
  clear(): void {
    if (this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }
}
