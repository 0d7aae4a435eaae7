import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync, writeSync } from "node:fs";
import { isatty } from "node:tty";

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

  /** The streams of the run; a write to either first erases the activity line, if drawn. */
  readonly io: CliIo;
  /** Standard error itself (the activity line is drawn there, without erasing itself). */
  readonly rawStderr: CliOutput;
  /** Progress bars of the command itself (toys, scan points) being drawn: no activity line then. */
  bars = 0;
  /** The "N fits, T s" line of a long computation on a terminal (see {@link Activity}). */
  activity: Activity | undefined;

  constructor(io: CliIo) {
    this.io = { ...io, stdout: this.erasingActivity(io.stdout), stderr: this.erasingActivity(io.stderr) };
    this.rawStderr = io.stderr;
  }

  private erasingActivity(stream: CliOutput): CliOutput {
    return new Proxy(stream, {
      get: (target, key) => {
        if (key === "write") {
          return (chunk: string | Uint8Array) => {
            this.activity?.erase();
            return target.write(chunk);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

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

/**
 * Standard output or error of the process, written with synchronous writes to its file descriptor
 * (as Node writes to files, terminals and, on Linux, pipes): a one-shot command does not load
 * Node's stream modules (a few milliseconds of its start-up) for the lines it prints. A reader
 * that goes away (`spey scan … | head -1`) ends the process quietly (exit code 0); a non-blocking
 * descriptor that is full hands the rest, in order, to `process.stdout`/`process.stderr`.
 */
class DescriptorOutput implements CliOutput {
  /** Every instance that handed its output to a stream (see {@link outputPending}). */
  static readonly streamed: DescriptorOutput[] = [];
  stream: NodeJS.WriteStream | undefined;
  private tty: boolean | undefined;

  constructor(private readonly fd: 1 | 2) {}

  get isTTY(): boolean {
    this.tty ??= isatty(this.fd);
    return this.tty;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.stream) return this.stream.write(chunk);
    let bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    try {
      while (bytes.length > 0) bytes = bytes.subarray(writeSync(this.fd, bytes));
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EPIPE") process.exit(0);
      if (code !== "EAGAIN") throw error;
      this.stream = this.fd === 1 ? process.stdout : process.stderr;
      DescriptorOutput.streamed.push(this);
      this.stream.on("error", (streamError: NodeJS.ErrnoException) => {
        if (streamError.code === "EPIPE") process.exit(0);
        throw streamError;
      });
      return this.stream.write(bytes);
    }
  }
}

/** Whether output of the process's own streams still waits to be written (see {@link DescriptorOutput}). */
export function outputPending(): boolean {
  return DescriptorOutput.streamed.some((output) => (output.stream?.writableLength ?? 0) > 0);
}

function processIo(): CliIo {
  let stdin: Buffer | undefined;
  return {
    stdout: new DescriptorOutput(1),
    stderr: new DescriptorOutput(2),
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
  private counted = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    // SPEY_PROGRESS_DELAY_MS overrides the 2 s (tests draw the bar at once).
    private readonly delayMs = progressDelayMs(),
  ) {}

  tick(done: number): void {
    const run = currentRun();
    if (!this.counted) {
      // While this bar runs, the fits it is made of draw no activity line of their own.
      this.counted = true;
      run.bars += 1;
    }
    if (run.quiet) return;
    const now = Date.now();
    if (now - this.started < this.delayMs || now - this.lastDraw < 100 || !run.io.stderr.isTTY) return;
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
    const run = currentRun();
    if (this.drawn) run.io.stderr.write("\r\u001b[2K");
    this.drawn = false;
    if (this.counted) run.bars -= 1;
    this.counted = false;
  }
}

/** How long a computation runs before progress is drawn: 2 s (SPEY_PROGRESS_DELAY_MS overrides it). */
function progressDelayMs(): number {
  const value = Number(process.env.SPEY_PROGRESS_DELAY_MS ?? 2000);
  return Number.isFinite(value) && value >= 0 ? value : 2000;
}

/**
 * Progress of computations without a known length (asymptotic tests and limits of large models,
 * fits): the library reports each fit (`setActivityHandler`), and once the command has run for
 * 2 s a line "spey limit: 37 fits, 5 s" is kept up to date on standard error — on a terminal
 * only, not with -q, and not while the command draws its own bar (toys, scans). Any output
 * erases it first.
 */
export class Activity {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private fits = 0;

  constructor(
    private readonly run: CliRun,
    private readonly label: string,
    private readonly delayMs = progressDelayMs(),
  ) {}

  tick(): void {
    this.fits += 1;
    const run = this.run;
    if (run.quiet || run.bars > 0) return;
    const now = Date.now();
    if (now - this.started < this.delayMs || now - this.lastDraw < 100 || !run.rawStderr.isTTY) return;
    this.lastDraw = now;
    this.drawn = true;
    const seconds = ((now - this.started) / 1000).toFixed(0);
    run.rawStderr.write(`\r\u001b[2K${this.label}: ${this.fits} fit${this.fits === 1 ? "" : "s"}, ${seconds} s`);
  }

  /** Remove the line (before any other output, and at the end). */
  erase(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.run.rawStderr.write("\r\u001b[2K");
  }
}
