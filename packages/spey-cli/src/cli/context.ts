import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";

/** Where a command writes: `process.stdout`/`process.stderr`, or a capture in tests. */
export interface CliOutput {
  write(chunk: string | Uint8Array): unknown;
  readonly isTTY?: boolean | undefined;
}

/** The streams of one run of the command line. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** The whole of standard input, as bytes (read on first use). */
  readonly stdin: () => Buffer;
  /** Called with every error a command ends with (the fuzz suite classifies them). */
  readonly onError?: (error: unknown) => void;
}

/** A warning of the run, counted when repeated. */
interface WarningEntry {
  count: number;
  readonly code: string | undefined;
}

/** The state of one run of `spey`: its streams, its global options, its warnings and exit code. */
export class CliRun {
  exitCode: number | undefined;
  quiet = false;
  strict = false;
  verbose = false;
  /** Warnings in order of first appearance, with their counts (printed once each). */
  readonly warnings = new Map<string, WarningEntry>();
  /** Warnings already printed (a long command prints as it goes; the rest at the end). */
  private readonly printed = new Set<string>();
  /** Set by the strict check so that the error is reported once. */
  strictReported = false;
  /** Set when commander has printed an error itself. */
  commanderReported = false;

  constructor(readonly io: CliIo) {}

  warn(message: string, code?: string): void {
    const entry = this.warnings.get(message);
    if (entry) entry.count += 1;
    else this.warnings.set(message, { count: 1, code });
  }

  /** Print the warnings not printed yet, each once, with "(×N)" when it was repeated. */
  flushWarnings(): void {
    if (this.quiet) return;
    for (const [message, { count }] of this.warnings) {
      if (this.printed.has(message)) continue;
      this.printed.add(message);
      this.io.stderr.write(`spey: warning: ${message}${count > 1 ? ` (×${count})` : ""}\n`);
    }
  }

  /** Whether any warning is about the input (an unused argument…) rather than the computation. */
  get hasInputWarnings(): boolean {
    return [...this.warnings.values()].some((w) => w.code !== undefined);
  }
}

function processIo(): CliIo {
  let stdin: Buffer | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: () => {
      stdin ??= readFileSync(0);
      return stdin;
    },
  };
}

const storage = new AsyncLocalStorage<CliRun>();
let fallback: CliRun | undefined;

/** The current run (inside {@link withRun}), or one on the process's own streams. */
export function currentRun(): CliRun {
  const run = storage.getStore();
  if (run) return run;
  fallback ??= new CliRun(processIo());
  return fallback;
}

/** Run `fn` as one run of the command line on `io` (the process's streams by default). */
export function withRun<T>(io: CliIo | undefined, fn: (run: CliRun) => Promise<T>): Promise<T> {
  const run = new CliRun(io ?? processIo());
  return storage.run(run, () => fn(run));
}

/**
 * Progress on standard error for long computations: drawn only on a terminal, and only once the
 * work has run for `delayMs` (2 s), so that quick commands print nothing. `tick` is cheap; it
 * redraws at most every 100 ms.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    // SPEY_PROGRESS_DELAY_MS overrides the 2 s (tests draw the bar at once).
    private readonly delayMs = Number(process.env.SPEY_PROGRESS_DELAY_MS ?? 2000),
  ) {}

  tick(done: number): void {
    const run = currentRun();
    if (run.quiet || !run.io.stderr.isTTY) return;
    const now = Date.now();
    if (now - this.started < this.delayMs || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.drawn = true;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const seconds = ((now - this.started) / 1000).toFixed(0);
    run.io.stderr.write(
      `\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${this.total} ${seconds} s`,
    );
  }

  finish(): void {
    if (this.drawn) currentRun().io.stderr.write("\r\u001b[2K");
    this.drawn = false;
  }
}
