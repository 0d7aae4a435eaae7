/** A writable terminal stream (process.stderr). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Format seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** The progress line for `done` of `total` points (pure; used by the bar and by tests). */
export function progressLine(state: {
  done: number;
  total: number;
  failed: number;
  /** Points finished in this session and the seconds it has run (for the rate). */
  sessionDone: number;
  elapsed: number;
  width: number;
}): string {
  const { done, total, failed, sessionDone, elapsed } = state;
  const rate = elapsed > 0 ? sessionDone / elapsed : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.NaN;
  const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
  const text = ` ${done}/${total} ${String(percent).padStart(3)}%  ${rate.toFixed(1)} pt/s  ETA ${formatDuration(eta)}${failed > 0 ? `  ${failed} failed` : ""}`;
  const barWidth = Math.max(10, Math.min(40, state.width - text.length - 3));
  const filled = total > 0 ? Math.round((barWidth * done) / total) : barWidth;
  return `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}]${text}`;
}

/**
 * A one-line progress bar on a terminal: done/total, rate, ETA, failures. Redrawn at most every
 * `intervalMs` (default 100 ms, ~10 times a second); does nothing when the stream is not a TTY.
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly total: number;
  private readonly intervalMs: number;
  private readonly start = Date.now();
  private readonly initial: number;
  private done: number;
  private failed = 0;
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    stream: ProgressStream,
    total: number,
    options: { alreadyDone?: number; intervalMs?: number; enabled?: boolean } = {},
  ) {
    this.stream = stream;
    this.total = total;
    this.initial = options.alreadyDone ?? 0;
    this.done = this.initial;
    this.intervalMs = options.intervalMs ?? 100;
    this.enabled = options.enabled ?? Boolean(stream.isTTY);
  }

  /** Count one finished point. */
  tick(failed: boolean): void {
    this.done += 1;
    if (failed) this.failed += 1;
    const now = Date.now();
    if (now - this.lastDraw >= this.intervalMs || this.done === this.total) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** Draw the final state and end the line. */
  finish(): void {
    if (!this.enabled) return;
    this.draw();
    this.stream.write("\n");
  }

  private draw(): void {
    if (!this.enabled) return;
    const line = progressLine({
      done: this.done,
      total: this.total,
      failed: this.failed,
      sessionDone: this.done - this.initial,
      elapsed: (Date.now() - this.start) / 1000,
      width: this.stream.columns || 80,
    });
    this.stream.write(`\r${line}\u001b[K`);
  }
}
