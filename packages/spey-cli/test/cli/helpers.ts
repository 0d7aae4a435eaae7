import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getLogLevel, setLogLevel } from "spey";
import { spey } from "./in-process.js";

/** The repository root (the CLI runs there, so example paths are relative to it). */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** The built CLI's entry module (dist/cli/main.js, the modules tsc wrote). */
export const CLI = join(ROOT, "packages/spey-cli/dist/cli/main.js");

/**
 * The `spey` executable as `npm install` links it (bin/spey.js): it runs the build's bundle
 * (scripts/bundle-cli.mjs), a few files to load instead of ~120 modules. Spawned runs use it.
 */
export const LAUNCHER = join(ROOT, "packages/spey-cli/bin/spey.js");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the built CLI to completion (`node bin/spey.js ...args`) in the repository root. */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [LAUNCHER, ...args], {
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
 * commander program, with its own captured streams (standard input included) — and return its
 * exit code and output. Much cheaper than a Node process per call; `batch` and `worker` start
 * their worker threads on the built worker script (src/batch/worker-script.ts), as the executable
 * does. Calls with another working directory are spawned ({@link runCli}). The end-to-end tests
 * that must exercise the executable itself (signals, exit codes, job arrays) call {@link runCli}.
 */
export async function run(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  if (options.cwd !== undefined) return runCli(args, options);
  const level = getLogLevel();
  try {
    return await spey(args, options.input !== undefined ? { stdin: options.input } : {});
  } finally {
    setLogLevel(level);
  }
}

/** Start the built CLI without waiting (for the kill tests). */
export function startCli(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
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
