/**
 * The command line run in-process: `runCli` with captured streams instead of a child process
 * (no Node start-up per call). The library and the CLI run from their TypeScript sources.
 */
import type { CliIo, CliOutput } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Capture implements CliOutput {
  private readonly chunks: string[] = [];
  constructor(readonly isTTY = false) {}
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }
  get text(): string {
    return this.chunks.join("");
  }
}

/** Run `spey ...args` in this process; `stdin` is what standard input holds, `tty` makes stderr a terminal. */
export async function spey(
  args: readonly string[],
  options: { stdin?: string | Buffer; tty?: boolean } = {},
): Promise<InProcessResult> {
  const stdout = new Capture();
  const stderr = new Capture(options.tty ?? false);
  const stdin = Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin ?? "", "utf8");
  const io: CliIo = { stdout, stderr, stdin: () => stdin };
  const code = await runCli(["node", "spey", ...args], io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
