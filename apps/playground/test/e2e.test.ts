/**
 * The playground end to end: the production build served on 127.0.0.1 (vite preview, the page's
 * Content-Security-Policy without 'unsafe-eval' as a header), driven in Debian's Chromium by
 * playwright-core. Results are compared with the CLI (`spey cls --json`, `spey limit --json`)
 * and with the library run in Node. Needs /usr/bin/chromium (`.ci/run` installs it).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { BrowserContext, Page } from "playwright-core";
import { getLogLevel, PatchSet, Random, setLogLevel, Workspace } from "spey";
import { clsJson, limitJson, buildModel } from "spey/worker/tasks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { largeWorkspace } from "../../../bench/large-workspace.js";
import { spey } from "../../../packages/spey-cli/test/cli/in-process.js";
import { APP, buildPlayground, launchChromium, servePlayground } from "./browser.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ARTIFACTS = join(APP, "test/artifacts");
const FIXTURES = join(ROOT, "packages/spey/test/fixtures/archives");

let server: { url: string; close(): Promise<void> };
let isolatedServer: { url: string; close(): Promise<void> };
let browser: { context: BrowserContext; close(): Promise<void> };

const cliOutputs = new Map<string, string>();

/**
 * The CLI's JSON output for `command args… --json`, run in `cwd` (so that `model` names match);
 * a command already run is not run again (the CLI is deterministic), each caller gets its own copy.
 * The CLI runs in this process (`runCli`, the program the executable runs, with captured streams):
 * the process boundary is tested by the CLI's own end-to-end tests, not here.
 */
async function cli(command: "cls" | "limit", args: readonly string[], cwd: string): Promise<Record<string, unknown>> {
  const key = JSON.stringify([command, args, cwd]);
  let out = cliOutputs.get(key);
  if (out === undefined) {
    const previous = process.cwd();
    const level = getLogLevel();
    process.chdir(cwd);
    try {
      const result = await spey([command, ...args, "--json"]);
      if (result.code !== 0)
        throw new Error(`spey ${command} ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
      out = result.stdout;
    } finally {
      process.chdir(previous);
      setLogLevel(level);
    }
    cliOutputs.set(key, out);
  }
  return JSON.parse(out);
}

/**
 * Deep equality with numbers equal to 1e-9 (relative, absolute below 1): the page runs the same
 * library code as Node on the same IEEE doubles (V8's own Math.exp/log in both), so results agree
 * to the last bits in practice; 1e-9 is the issue's bar.
 */
function expectClose(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number") {
    expect(typeof actual, path).toBe("number");
    if (!Number.isFinite(expected)) expect(actual, path).toBe(expected);
    else
      expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

interface Opened {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

async function open(query: string, base = server.url): Promise<Opened> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} in ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  await page.goto(`${base}${query}`);
  return { page, problems };
}

async function settled(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(() => ["done", "error", "cancelled"].includes(document.body.dataset.status ?? ""), null, {
    timeout,
  });
  return (await page.evaluate(() => document.body.dataset.status)) as string;
}

async function resultsJson(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await page.textContent("#results-json")) ?? "null");
}

beforeAll(async () => {
  // The production build, made again only when an input changed since the last one.
  await buildPlayground({ reuseFresh: true });
  // A 96-parameter workspace with 16 signal points for the cancellation test (~1–2 s per point).
  const ws = largeWorkspace(10, 5, 20, new Random(3));
  const wsText = JSON.stringify(ws);
  const digest = Workspace.fromJSON(wsText).digest();
  const channel = ws.channels[0] as { samples: { name: string; data: number[] }[] };
  const signal = (channel.samples.find((s) => s.name === "signal") as { data: number[] }).data;
  const patches = Array.from({ length: 16 }, (_, k) => ({
    metadata: { name: `point_${k}`, values: [100 + 10 * k] },
    patch: [{ op: "replace", path: "/channels/0/samples/4/data", value: signal.map((x) => x * (0.3 + 0.05 * k)) }],
  }));
  const patchSet = {
    metadata: {
      description: "scaled signals",
      digests: { sha256: digest },
      labels: ["m"],
      references: { hepdata: "ins0000000" },
    },
    patches,
    version: "1.0.0",
  };
  new PatchSet(patchSet); // valid
  mkdirSync(join(APP, "dist/test-data"), { recursive: true });
  writeFileSync(join(APP, "dist/test-data/large-workspace.json"), wsText);
  writeFileSync(join(APP, "dist/test-data/large-patchset.json"), JSON.stringify(patchSet));
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await servePlayground();
  isolatedServer = await servePlayground({ isolated: true });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await isolatedServer?.close();
});

describe("playground (production build in Chromium)", () => {
  it("?model=URL: a simplified model, results equal to `spey cls/limit --json`", async () => {
    const { page, problems } = await open("?model=examples/cms-8bin.json");
    expect(await settled(page)).toBe("done");
    const out = await resultsJson(page);
    expectClose(out.cls, await cli("cls", ["cms-8bin.json"], join(ROOT, "examples")));
    expectClose(out.limit, await cli("limit", ["cms-8bin.json"], join(ROOT, "examples")));
    expect(await page.locator("#brazil svg").count()).toBe(1);
    expect(await page.locator("#scan svg").count()).toBe(1);
    expect(await page.locator("#pulls svg").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("?workspace=URL&patchset=URL&patch=NAME: a pyhf workspace and one patch, equal to the CLI", async () => {
    const { page, problems } = await open(
      "?workspace=examples/histfactory/BkgOnly.json&patchset=examples/histfactory/plane/patchset.json&patch=stop_600_100",
    );
    expect(await settled(page)).toBe("done");
    const out = await resultsJson(page);
    const cwd = join(ROOT, "examples/histfactory");
    expectClose(out.cls, await cli("cls", ["BkgOnly.json", "plane/patchset.json:stop_600_100"], cwd));
    expectClose(out.limit, await cli("limit", ["BkgOnly.json", "plane/patchset.json:stop_600_100"], cwd));
    expect(await page.textContent("#summary")).toContain("parameter of interest");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("?archive=URL (.tar.gz): the archive is unpacked in the browser, results equal to the CLI", async () => {
    const { page, problems } = await open("?archive=examples/plane-likelihoods.tar.gz&patch=stop_500_200");
    expect(await settled(page)).toBe("done");
    const out = await resultsJson(page);
    const cwd = join(ROOT, "examples/histfactory");
    expectClose(out.cls, await cli("cls", ["BkgOnly.json", "plane/patchset.json:stop_500_200"], cwd));
    expectClose(out.limit, await cli("limit", ["BkgOnly.json", "plane/patchset.json:stop_500_200"], cwd));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("file picker (.zip) and drag and drop (model JSON) load their inputs", async () => {
    const { page, problems } = await open("");
    await page.setInputFiles("#file-input", join(FIXTURES, "plane.zip"));
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#exclusion .exclusion-point").count()).toBe(29);

    const text = readFileSync(join(ROOT, "examples/correlated-2bin.json"), "utf8");
    await page.evaluate(() => {
      document.body.dataset.status = "idle";
    });
    const transfer = await page.evaluateHandle((content) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], "correlated-2bin.json", { type: "application/json" }));
      return dt;
    }, text);
    await page.dispatchEvent("#drop-zone", "drop", { dataTransfer: transfer });
    expect(await settled(page)).toBe("done");
    const out = await resultsJson(page);
    expectClose(out.cls, await cli("cls", ["correlated-2bin.json"], join(ROOT, "examples")));
    expectClose(out.limit, await cli("limit", ["correlated-2bin.json"], join(ROOT, "examples")));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("exclusion plot over the example patch set: every patch equal to Node, points clickable by mouse and keyboard; screenshot", async () => {
    const { page, problems } = await open(
      "?workspace=examples/histfactory/BkgOnly.json&patchset=examples/histfactory/plane/patchset.json",
    );
    expect(await settled(page)).toBe("done");
    const all = (await resultsJson(page)) as unknown as { patch: string; cls: unknown; limit: unknown }[];
    expect(all).toHaveLength(29);
    const workspace = JSON.parse(readFileSync(join(ROOT, "examples/histfactory/BkgOnly.json"), "utf8"));
    const patchSet = PatchSet.fromJSON(readFileSync(join(ROOT, "examples/histfactory/plane/patchset.json"), "utf8"));
    for (const row of all) {
      const model = buildModel({
        kind: "workspace",
        name: "BkgOnly.json",
        workspace,
        workspaceKey: "node",
        patches: [patchSet.get(row.patch).patch],
      });
      expectClose(row.cls, clsJson(model, "BkgOnly.json"), row.patch);
      expectClose(row.limit, limitJson(model, "BkgOnly.json"), row.patch);
    }
    // The plot: 29 markers, filled where the observed limit is below 1; contours and the band drawn.
    const excluded = all.filter((r) => (r.limit as { upperLimit: { observed: number } }).upperLimit.observed < 1);
    expect(await page.locator('#exclusion circle.exclusion-point[fill="#1b7837"]').count()).toBe(excluded.length);
    expect(await page.locator('#exclusion [aria-description="observed contour"] path').count()).toBeGreaterThan(0);
    expect(await page.locator('#exclusion [aria-description="expected contour"] path').count()).toBeGreaterThan(0);
    expect(await page.locator('#exclusion [aria-description="expected ±1σ band"] rect').count()).toBeGreaterThan(0);

    await page.click('#exclusion circle[data-name="stop_700_100"]');
    await page.waitForFunction(() => document.getElementById("point-title")?.textContent?.includes("stop_700_100"));
    expect(await settled(page)).toBe("done");
    expect(new URL(page.url()).searchParams.get("patch")).toBe("stop_700_100");

    await page.focus('#exclusion circle[data-name="stop_400_100"]');
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("point-title")?.textContent?.includes("stop_400_100"));
    expect(await settled(page)).toBe("done");
    await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });
    await page.locator("#exclusion svg").screenshot({ path: join(ARTIFACTS, "exclusion.png") });
    // The results part of the page (patch set and selected point), as shown in the README.
    const box = await page.evaluate(() => {
      const top =
        (document.getElementById("patches-section") as HTMLElement).getBoundingClientRect().top + window.scrollY;
      const point = (document.getElementById("point-section") as HTMLElement).getBoundingClientRect();
      return { top, bottom: point.bottom + window.scrollY };
    });
    await page.screenshot({
      path: join(ARTIFACTS, "playground-results.png"),
      fullPage: true,
      clip: { x: 0, y: box.top - 8, width: 1280, height: box.bottom - box.top + 16 },
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("what-if: the signal scale recomputes live and goes into the URL (μ_UL scales as 1/s)", async () => {
    const { page, problems } = await open("?model=examples/cms-8bin.json");
    expect(await settled(page)).toBe("done");
    const before = (await resultsJson(page)) as { limit: { upperLimit: { observed: number } } };
    await page.evaluate(() => {
      document.body.dataset.status = "idle";
      const range = document.getElementById("signal-scale") as HTMLInputElement;
      range.value = "2";
      range.dispatchEvent(new Event("input", { bubbles: true }));
    });
    expect(await settled(page)).toBe("done");
    const after = (await resultsJson(page)) as { limit: { upperLimit: { observed: number } } };
    // The likelihood depends on μ·s only; limits are solved to the root finder's rtol 1e-6.
    expect(after.limit.upperLimit.observed).toBeCloseTo(before.limit.upperLimit.observed / 2, 5);
    expect(new URL(page.url()).searchParams.get("signal")).toBe("2");
    const timing = await page.textContent("#timing");
    const roundTrip = await page.evaluate(() => document.body.dataset.recomputeMs);
    console.log(
      `playground what-if recompute (cms-8bin): ${timing} Input → new CLs and limits on screen: ${roundTrip} ms`,
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it("what-if on a workspace: ?lumi=2&syst=0.5 (workspace interpreter) equals the same scaling in Node", async () => {
    const { page, problems } = await open(
      "?workspace=examples/histfactory/BkgOnly.json&patchset=examples/histfactory/plane/patchset.json&patch=stop_600_100&lumi=2&syst=0.5",
    );
    expect(await settled(page)).toBe("done");
    const out = await resultsJson(page);
    const workspace = JSON.parse(readFileSync(join(ROOT, "examples/histfactory/BkgOnly.json"), "utf8"));
    const patchSet = PatchSet.fromJSON(readFileSync(join(ROOT, "examples/histfactory/plane/patchset.json"), "utf8"));
    const model = buildModel({
      kind: "workspace",
      name: "BkgOnly.json",
      workspace,
      patches: [patchSet.get("stop_600_100").patch],
      scales: { luminosity: 2, systematics: 0.5 },
    });
    expectClose(out.cls, clsJson(model, "BkgOnly.json"));
    expectClose(out.limit, limitJson(model, "BkgOnly.json"));
    // Twice the luminosity with half the systematics: a stronger expected limit than the nominal one.
    const nominal = await cli(
      "limit",
      ["BkgOnly.json", "plane/patchset.json:stop_600_100"],
      join(ROOT, "examples/histfactory"),
    );
    const expected = (out.limit as { upperLimit: { expected: number[] } }).upperLimit.expected[2] as number;
    expect(expected).toBeLessThan((nominal.upperLimit as { expected: number[] }).expected[2] as number);
    expect(problems).toEqual([]);
    await page.close();
  });

  for (const isolated of [false, true]) {
    it(`cancelling a running patch-set computation stops the workers (${isolated ? "cross-origin isolated: shared-memory flag" : "no shared memory: termination"})`, async () => {
      const { page, problems } = await open(
        "?workspace=test-data/large-workspace.json&patchset=test-data/large-patchset.json",
        isolated ? isolatedServer.url : server.url,
      );
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(isolated);
      // Cancel while every worker is busy with a patch (each takes ~1 s or more here).
      await page.waitForFunction(() => window.speyPlayground?.pool.busy === window.speyPlayground?.pool.size, null, {
        timeout: 120_000,
      });
      await page.waitForTimeout(300);
      await page.click("#cancel");
      expect(await settled(page)).toBe("cancelled");
      const doneAtCancel = await page.evaluate(
        () => (document.getElementById("progress") as HTMLProgressElement).value,
      );
      expect(doneAtCancel).toBeLessThan(16);
      expect(await page.textContent("#status")).toMatch(/Cancelled after \d+ of 16 patches/);
      // Every worker that was running stops (stopped by itself or terminated) within the grace time.
      await page.waitForFunction(() => window.speyPlayground?.pool.busy === 0, null, { timeout: 10_000 });
      const stats = await page.evaluate(() => ({ ...window.speyPlayground?.pool.stats }));
      console.log(`cancellation (${isolated ? "isolated" : "not isolated"}): pool stats ${JSON.stringify(stats)}`);
      expect((stats.terminated ?? 0) + (stats.stoppedCooperatively ?? 0)).toBeGreaterThanOrEqual(1);
      await page.waitForTimeout(1500);
      expect(await page.evaluate(() => (document.getElementById("progress") as HTMLProgressElement).value)).toBe(
        doneAtCancel,
      );
      expect(await page.evaluate(() => window.speyPlayground?.pool.queued)).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it("works offline once loaded: with its server gone, the page reloads and computes from the service worker's cache", async () => {
    const own = await servePlayground();
    const { page, problems } = await open("", own.url);
    await page.waitForFunction(() => document.body.dataset.offline === "ready", null, { timeout: 30_000 });
    await own.close();
    await page.reload();
    await page.click('[data-example="model"]');
    expect(await settled(page)).toBe("done");
    const out = (await resultsJson(page)) as { cls: { model: string; backend: string } };
    expect(out.cls.model).toBe("cms-8bin.json");
    expect(out.cls.backend).toBe("default.correlated_background");
    expect(await page.locator("#brazil svg").count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a bad file gives a clear message and data-status=error", async () => {
    const { page } = await open("");
    await page.setInputFiles("#file-input", {
      name: "broken.json",
      mimeType: "application/json",
      buffer: Buffer.from("{ not json"),
    });
    expect(await settled(page)).toBe("error");
    expect(await page.textContent("#error")).toMatch(/^broken\.json is not valid JSON/);
    await page.setInputFiles("#file-input", {
      name: "notes.tar.gz",
      mimeType: "application/gzip",
      buffer: gzipSync("plain text"),
    });
    await page.waitForFunction(() => document.getElementById("error")?.textContent?.includes("notes.tar.gz"));
    expect(await page.textContent("#error")).toMatch(/notes\.tar\.gz holds no \.json file/);
    await page.close();
    const missing = await open("?model=examples/missing.json");
    expect(await settled(missing.page)).toBe("error");
    expect(await missing.page.textContent("#error")).toMatch(/cannot fetch examples\/missing\.json: HTTP 404/);
    await missing.page.close();
  });

  it("exports: SVG and PNG from the same SVG, JSON and CSV of the results", async () => {
    const { page, problems } = await open("?model=examples/cms-8bin.json");
    expect(await settled(page)).toBe("done");
    const save = async (selector: string) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
      const path = join(ARTIFACTS, download.suggestedFilename());
      await download.saveAs(path);
      return readFileSync(path);
    };
    const svg = (await save('[data-export="brazil-svg"]')).toString("utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const png = await save('[data-export="brazil-png"]');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(2 * width); // IHDR width: the SVG at scale 2
    const json = JSON.parse((await save('[data-export="point-json"]')).toString("utf8"));
    expect(json).toEqual(await resultsJson(page));
    const csv = (await save('[data-export="point-csv"]')).toString("utf8").trim().split("\n");
    expect(csv[0]).toBe("quantity,observed,exp_m2,exp_m1,exp_0,exp_p1,exp_p2");
    expect(Number(csv[3]?.split(",")[1])).toBe(json.limit.upperLimit.observed);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("every control has an accessible name; the first-screen bundle is ≤ 250 KB gzip and eval-free", async () => {
    const { page } = await open("");
    const unnamed = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll("input, select, button")).filter((e) => {
          const el = e as HTMLInputElement;
          const label = el.labels && el.labels.length > 0;
          return !label && !el.getAttribute("aria-label") && !el.textContent?.trim();
        }).length,
    );
    expect(unnamed).toBe(0);
    await page.close();
    const dist = join(APP, "dist");
    const html = readFileSync(join(dist, "index.html"), "utf8");
    const first = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
    expect(first.length).toBeGreaterThan(0);
    const bytes = first.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
    console.log(`playground first-screen bundle: ${first.join(", ")} = ${(bytes / 1024).toFixed(1)} KB gzip`);
    expect(bytes).toBeLessThanOrEqual(250 * 1024);
    for (const file of readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(dist, "assets", file), "utf8");
      expect(text, file).not.toMatch(/new Function\(|\beval\(|=Function\b/);
    }
    // The computation code is in the worker bundle, not in the first screen.
    for (const file of first)
      expect(readFileSync(join(dist, file), "utf8"), file).not.toMatch(/exclusionConfidenceLevel|poiUpperLimit/);
  });
});
