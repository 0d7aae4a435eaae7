/**
 * End-to-end support: build the playground for production (Vite), serve the build on 127.0.0.1
 * (vite preview, with the page's Content-Security-Policy as a header), and drive Debian's
 * Chromium (/usr/bin/chromium, `apt-get install chromium`) with playwright-core in a fresh
 * profile. Shared by the e2e tests and `bench/playground.js`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";

export const APP = fileURLToPath(new URL("../", import.meta.url));
export const CONFIG = join(APP, "vite.config.ts");
export const CHROMIUM = "/usr/bin/chromium";

/** Build `apps/playground/dist` (production, minified). */
export async function buildPlayground(): Promise<void> {
  await build({ configFile: CONFIG, logLevel: "error" });
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
