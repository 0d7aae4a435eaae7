#!/usr/bin/env node
// The browser playground against the command line on the same machine (npm run bench:playground):
// every patch of a patch set of 100 signal points (10 × 10 mass plane) on a synthetic HistFactory
// workspace of ≥ 100 parameters (bench/large-workspace.js), CLs at μ = 1 plus the observed upper
// limit and its ±1σ/±2σ expected band at every point.
//
//   browser: the production build served on 127.0.0.1, Debian's Chromium (headless, playwright-core),
//            the page's worker pool (navigator.hardwareConcurrency workers);
//   CLI:     `spey batch FOLDER --workers N` (worker threads), N = the number of cores.
//
// Options: --points-per-axis 10 --channels 21 --bins 3 --systematics 16 --seed 7
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { PyhfBackend, Random, StatisticalModel, Workspace } from "../packages/spey/dist/index.js";
import { largeWorkspace } from "./large-workspace.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const app = join(root, "apps/playground");
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const perAxis = option("--points-per-axis", 10);
const [channels, bins, systematics] = [option("--channels", 21), option("--bins", 3), option("--systematics", 16)];
const cores = availableParallelism();

// 1. The analysis: a background-only workspace and a patch set scaling the signal over a plane.
const workspace = largeWorkspace(channels, bins, systematics, new Random(option("--seed", 7)));
const parameters = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: workspace, signalPatch: [] })).config()
  .npar;
if (parameters < 100) throw new Error(`the workspace has ${parameters} parameters; the benchmark needs ≥ 100.`);
const signal = workspace.channels[0].samples.find((s) => s.name === "signal");
const signalIndex = workspace.channels[0].samples.indexOf(signal);
const patches = [];
for (let i = 0; i < perAxis; i++) {
  for (let j = 0; j < perAxis; j++) {
    const [m1, m2] = [300 + 50 * i, 20 * j];
    const f = 3 * Math.exp(-(m1 - 300) / 150) * (1 - Math.exp(-(m1 - m2) / 150));
    patches.push({
      metadata: { name: `p_${m1}_${m2}`, values: [m1, m2] },
      patch: [{ op: "replace", path: `/channels/0/samples/${signalIndex}/data`, value: signal.data.map((x) => x * f) }],
    });
  }
}
const patchSet = {
  metadata: {
    description: "benchmark signal plane",
    digests: { sha256: Workspace.fromJSON(JSON.stringify(workspace)).digest() },
    labels: ["m1", "m2"],
    references: { hepdata: "ins0000000" },
  },
  patches,
  version: "1.0.0",
};
const folder = mkdtempSync(join(tmpdir(), "spey-bench-playground-"));
writeFileSync(join(folder, "BkgOnly.json"), JSON.stringify(workspace));
writeFileSync(join(folder, "patchset.json"), JSON.stringify(patchSet));
console.log(`workspace: ${channels} channels × ${bins} bins, ${systematics} systematics → ${parameters} parameters`);
console.log(`patch set: ${patches.length} signal points; ${cores} cores`);

// 2. The command line: spey batch over the folder (every patch of its patch set).
const output = join(folder, "cli.results.jsonl");
const t0 = performance.now();
execFileSync(
  process.execPath,
  [
    join(root, "packages/spey-cli/bin/spey.js"),
    "batch",
    folder,
    "--workers",
    String(cores),
    "-o",
    output,
    "--no-progress",
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
const cliSeconds = (performance.now() - t0) / 1000;
const cliResults = new Map(
  readFileSync(output, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .filter((r) => r.status === "ok")
    .map((r) => [r.id, r.result]),
);
console.log(`CLI spey batch --workers ${cores}: ${cliSeconds.toFixed(1)} s (${cliResults.size} points ok)`);

// 3. The browser: production build, served on 127.0.0.1, Debian's Chromium.
await build({ configFile: join(app, "vite.config.ts"), logLevel: "error" });
mkdirSync(join(app, "dist/bench-data"), { recursive: true });
cpSync(join(folder, "BkgOnly.json"), join(app, "dist/bench-data/BkgOnly.json"));
cpSync(join(folder, "patchset.json"), join(app, "dist/bench-data/patchset.json"));
const server = await preview({
  configFile: join(app, "vite.config.ts"),
  logLevel: "error",
  preview: { host: "127.0.0.1", port: 0 },
});
const profile = mkdtempSync(join(tmpdir(), "spey-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  const page = await context.newPage();
  const { port } = server.httpServer.address();
  const t1 = performance.now();
  await page.goto(`http://127.0.0.1:${port}/?workspace=bench-data/BkgOnly.json&patchset=bench-data/patchset.json`);
  await page.waitForFunction(() => ["done", "error"].includes(document.body.dataset.status), null, {
    timeout: 3_600_000,
    polling: 500,
  });
  const wall = (performance.now() - t1) / 1000;
  const { status, seconds, workers, json } = await page.evaluate(() => ({
    status: document.body.dataset.status,
    seconds: Number(document.body.dataset.patchSeconds),
    workers: window.speyPlayground.pool.size,
    json: document.getElementById("results-json").textContent,
  }));
  if (status !== "done") throw new Error(`the page ended with status ${status}: ${await page.textContent("#error")}`);
  const browserResults = JSON.parse(json);
  let worst = 0;
  for (const row of browserResults) {
    const cli = cliResults.get(row.patch);
    if (!cli || !row.limit) continue;
    const a = row.limit.upperLimit.observed;
    const b = cli.upperLimit.observed;
    if (Number.isFinite(a) && Number.isFinite(b)) worst = Math.max(worst, Math.abs(a - b) / Math.abs(b));
  }
  console.log(
    `browser (Chromium, ${workers} workers): ${seconds.toFixed(1)} s computing all patches, ${wall.toFixed(1)} s from navigation (load, parse, summary)`,
  );
  console.log(`largest relative difference of the observed limits, browser vs CLI: ${worst.toExponential(2)}`);
  console.log(`browser / CLI time: ${(seconds / cliSeconds).toFixed(2)}`);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
  rmSync(join(app, "dist/bench-data"), { recursive: true, force: true });
}
