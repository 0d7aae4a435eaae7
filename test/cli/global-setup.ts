/**
 * Vitest global setup: build the package (tsc → dist/) before any test file runs, so the
 * end-to-end tests run the built CLI (`node dist/cli/main.js`) and the batch workers load built
 * JavaScript. It runs once per `vitest run`, so parallel test files never race on dist/; the build
 * is skipped when dist/ is newer than every source file (a stamp file records the last build).
 * SPEY_SKIP_BUILD=1 reuses an existing dist/ as it is.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stamp = join(root, "dist/.spey-build-stamp");

function newestSource(): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(root, "src"));
  for (const file of ["tsconfig.json", "tsconfig.build.json", "package.json"]) {
    newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const cli = join(root, "dist/cli/main.js");
  if (process.env.SPEY_SKIP_BUILD === "1" && existsSync(cli)) return;
  const sources = newestSource();
  if (existsSync(cli) && existsSync(stamp) && statSync(stamp).mtimeMs > sources) return;
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "pipe" });
  } catch (error) {
    // tsc still emits JavaScript when some file has a type error; only a missing CLI is fatal.
    if (!existsSync(cli)) {
      const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
      throw new Error(`the build failed:\n${output}`);
    }
  }
  writeFileSync(stamp, `${new Date(sources).toISOString()}\n`);
}
