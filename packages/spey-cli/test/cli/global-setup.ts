/**
 * Vitest global setup: build both packages (tsc → packages/spey/dist, packages/spey-cli/dist)
 * before any test file runs, so the end-to-end tests run the built CLI (`bin/spey.js` loads the
 * bundle that scripts/bundle-cli.mjs writes to dist/bundle) and the batch workers load built
 * JavaScript (dist/batch/worker.js, which resolves `spey` through the workspace link). It runs
 * once per `vitest run`, so parallel test files never race on dist/; a package's build is skipped
 * when its dist/ is newer than every source file (a stamp file records the last build;
 * a build by `npm run build` counts too).
 * SPEY_SKIP_BUILD=1 reuses existing builds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

function newestSource(pkg: string, extra: readonly string[]): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(pkg, "src"));
  for (const file of [join(pkg, "tsconfig.build.json"), join(pkg, "package.json"), ...extra]) {
    newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/**
 * When dist/ holds a .js file newer than `time` for every .ts file of src/ (declarations aside):
 * the oldest of them (when that build was made); otherwise 0.
 */
function emittedAfter(pkg: string, time: number): number {
  let oldest = Number.POSITIVE_INFINITY;
  const visit = (dir: string): boolean =>
    readdirSync(join(pkg, "src", dir), { withFileTypes: true }).every((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return visit(path);
      if (!entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) return true;
      const js = join(pkg, "dist", path.replace(/\.ts$/, ".js"));
      if (!existsSync(js)) return false;
      oldest = Math.min(oldest, statSync(js).mtimeMs);
      return oldest > time;
    });
  return visit("") && Number.isFinite(oldest) ? oldest : 0;
}

/**
 * Build one package unless its stamp is newer than its sources (and `after`, a dependency's stamp);
 * `post` is a script of the package's build run after tsc (the CLI's bundle).
 */
function build(name: string, entry: string, after: number, post?: string): number {
  const pkg = join(root, "packages", name);
  const stamp = join(pkg, "dist/.spey-build-stamp");
  const output = join(pkg, "dist", entry);
  if (process.env.SPEY_SKIP_BUILD === "1" && existsSync(output)) return 0;
  const sources = Math.max(newestSource(pkg, [join(root, "tsconfig.base.json")]), after);
  if (existsSync(output) && existsSync(stamp) && statSync(stamp).mtimeMs > sources) return statSync(stamp).mtimeMs;
  // Built by `npm run build` (no stamp; .ci/run builds before it tests): fresh when every source
  // file's JavaScript is newer than the newest source, so tsc does not run a second time.
  const built = emittedAfter(pkg, sources);
  if (built > 0) {
    writeFileSync(stamp, `${new Date(sources).toISOString()}\n`);
    utimesSync(stamp, new Date(built), new Date(built));
    return statSync(stamp).mtimeMs;
  }
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: pkg, stdio: "pipe" });
  } catch (error) {
    // tsc still emits JavaScript when some file has a type error; only a missing entry is fatal.
    if (!existsSync(output)) {
      const text = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
      throw new Error(`the build of ${name} failed:\n${text}`);
    }
  }
  if (post) execFileSync(process.execPath, [post], { cwd: pkg, stdio: "pipe" });
  writeFileSync(stamp, `${new Date(sources).toISOString()}\n`);
  return statSync(stamp).mtimeMs;
}

export default function setup(): void {
  const library = build("spey", "index.js", 0);
  build("spey-cli", "cli/main.js", library, "scripts/bundle-cli.mjs");
}
