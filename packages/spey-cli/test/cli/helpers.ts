import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getLogLevel, setLogLevel } from "spey";
import { runCli as runProgram } from "../../src/cli/program.js";

/** The repository root (the CLI runs there, so example paths are relative to it). */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The built CLI, as `npm install` would link it. */
export const CLI = join(ROOT, "packages/spey-cli/dist/cli/main.js");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the built CLI to completion (`node dist/cli/main.js ...args`) in the repository root. */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: "utf8",
    env: { ...process.env, SPEY_LOGLEVEL: "" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Run the CLI in this process — the same `runCli` the executable calls, on a freshly built
 * commander program — capturing standard output, standard error (the library's warnings included)
 * and the exit code. Much cheaper than a Node process per call; calls with standard input, another
 * working directory or `batch` are spawned ({@link runCli}). The end-to-end tests that must exercise
 * the executable itself call {@link runCli} directly.
 */
export async function run(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  // Standard input, another working directory and batch runs (worker threads load the built
  // runner) go through the executable.
  if (options.input !== undefined || options.cwd !== undefined || args[0] === "batch") return runCli(args, options);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = {
    out: process.stdout.write,
    err: process.stderr.write,
    consoleError: console.error,
    exitCode: process.exitCode,
    level: getLogLevel(),
  };
  const capture =
    (sink: string[]) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = capture(stdout) as typeof process.stdout.write;
  process.stderr.write = capture(stderr) as typeof process.stderr.write;
  console.error = (...parts: unknown[]) => {
    stderr.push(`${parts.map(String).join(" ")}\n`);
  };
  process.exitCode = undefined;
  let code: number | null;
  try {
    await runProgram([process.execPath, CLI, ...args]);
    code = typeof process.exitCode === "number" ? process.exitCode : Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    console.error = saved.consoleError;
    process.exitCode = saved.exitCode;
    setLogLevel(saved.level);
  }
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

/** Start the built CLI without waiting (for the kill tests). */
export function startCli(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
}

/** `JSON.parse` of a CLI's stdout, turning "Infinity"/"NaN" strings back into numbers. */
export function parseJsonOutput(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v === "Infinity"
      ? Number.POSITIVE_INFINITY
      : v === "-Infinity"
        ? Number.NEGATIVE_INFINITY
        : v === "NaN"
          ? Number.NaN
          : v,
  );
}

/** A fresh temporary directory and its clean-up. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `spey-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
