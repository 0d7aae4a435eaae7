/**
 * End-to-end support: build the playground for production (Vite), serve the build on 127.0.0.1
 * (vite preview, with the page's Content-Security-Policy as a header), and drive Debian's
 * Chromium (/usr/bin/chromium, `apt-get install chromium`) with playwright-core in a fresh
 * profile. Shared by the e2e tests and `bench/playground.js`.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";
import { EXAMPLES } from "../vite.config.js";

export const APP = fileURLToPath(new URL("../", import.meta.url));
export const CONFIG = join(APP, "vite.config.ts");
export const CHROMIUM = "/usr/bin/chromium";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Written after a build: its modification time is when the build started. */
const STAMP = join(APP, "dist/.spey-build-stamp");

/**
 * Newest modification time of what goes into the build: the page (index.html, src/, public/), its
 * Vite configuration and package.json, the library's sources (bundled from source), the lockfile
 * (the versions of Vite and the dependencies) and the example files served with the page.
 */
function newestInput(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const path of ["index.html", "src", "public", "vite.config.ts", "package.json"]) visit(join(APP, path));
  visit(join(ROOT, "packages/spey/src"));
  visit(join(ROOT, "package-lock.json"));
  for (const from of Object.values(EXAMPLES)) visit(join(ROOT, from));
  return newest;
}

/**
 * Build `apps/playground/dist` (production, minified). With `reuseFresh`, a build made after the
 * last change of every input (see {@link newestInput}) is kept instead of being made again.
 */
export async function buildPlayground(options: { reuseFresh?: boolean } = {}): Promise<void> {
  if (options.reuseFresh && existsSync(STAMP) && statSync(STAMP).mtimeMs > newestInput()) return;
  const started = new Date();
  await build({ configFile: CONFIG, logLevel: "error" });
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  // The stamp carries the build's start: an input changed while Vite was building is seen as newer.
  utimesSync(STAMP, started, started);
}

/**
 * Serve the production build on 127.0.0.1 (a free port). With `isolated`, the server also sends
 * COOP/COEP headers, so the page is cross-origin isolated and the pool can share memory.
 */
export async function servePlayground(
  options: { isolated?: boolean } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const previous = process.env.SPEY_PLAYGROUND_ISOLATED;
  process.env.SPEY_PLAYGROUND_ISOLATED = options.isolated ? "1" : "0";
  let server: PreviewServer;
  try {
    server = await preview({
      configFile: CONFIG,
      logLevel: "error",
      preview: { host: "127.0.0.1", port: 0, strictPort: false },
    });
  } finally {
    if (previous === undefined) delete process.env.SPEY_PLAYGROUND_ISOLATED;
    else process.env.SPEY_PLAYGROUND_ISOLATED = previous;
  }
  const address = server.httpServer.address();
  if (address === null || typeof address === "string") throw new Error("the preview server has no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: async () => {
      // Keep-alive connections of the browser would hold the server open.
      const http = server.httpServer as { closeAllConnections?: () => void };
      const closing = server.close();
      http.closeAllConnections?.();
      await closing;
    },
  };
}

/** Debian's Chromium, headless, in a fresh profile directory (removed by `close`). */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "spey-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
