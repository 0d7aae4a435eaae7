import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const lib = (path: string) => root(`packages/spey/src/${path}`);

/** Examples served with the page (so that the example buttons work offline once loaded). */
export const EXAMPLES: Record<string, string> = {
  "examples/cms-8bin.json": "examples/cms-8bin.json",
  "examples/correlated-2bin.json": "examples/correlated-2bin.json",
  "examples/histfactory/BkgOnly.json": "examples/histfactory/BkgOnly.json",
  "examples/histfactory/patchset.json": "examples/histfactory/patchset.json",
  "examples/histfactory/plane/patchset.json": "examples/histfactory/plane/patchset.json",
  "examples/plane-likelihoods.tar.gz": "packages/spey/test/fixtures/archives/plane-gnu.tar.gz",
  "examples/plane-likelihoods.zip": "packages/spey/test/fixtures/archives/plane.zip",
};

function examples(): Plugin {
  return {
    name: "spey-examples",
    generateBundle() {
      for (const [fileName, from] of Object.entries(EXAMPLES)) {
        this.emitFile({ type: "asset", fileName, source: readFileSync(root(from)) });
      }
    },
    writeBundle(options, bundle) {
      // The service worker's precache list: every file of the build (public/ files included).
      const files = Object.keys(bundle).filter((f) => f !== "precache.json" && !f.startsWith(".vite/"));
      for (const extra of ["sw.js"]) if (!files.includes(extra)) files.push(extra);
      writeFileSync(join(options.dir as string, "precache.json"), `${JSON.stringify(files.sort(), null, 1)}\n`);
    },
    configurePreviewServer(server) {
      const isolated = process.env.SPEY_PLAYGROUND_ISOLATED === "1";
      server.middlewares.use((_req, res, next) => {
        // The Content-Security-Policy of the page is also a <meta> tag; the header makes the
        // preview server enforce it on the workers too (no 'unsafe-eval' anywhere).
        res.setHeader("Content-Security-Policy", CSP);
        if (isolated) {
          res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
          res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
        }
        next();
      });
    },
  };
}

/** The page's Content-Security-Policy: scripts and workers from the page's origin only, no eval. */
export const CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' https: http:; object-src 'none'; base-uri 'none'; form-action 'none'";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  // A static multi-page site: unknown paths are 404 (no fallback to index.html).
  appType: "mpa",
  resolve: {
    alias: [
      { find: /^spey$/, replacement: lib("index.ts") },
      { find: /^spey\/plots$/, replacement: lib("plots/index.ts") },
      { find: /^spey\/io$/, replacement: lib("io/index.ts") },
      { find: /^spey\/worker$/, replacement: lib("worker/index.ts") },
      { find: /^spey\/worker\/tasks$/, replacement: lib("worker/tasks.ts") },
    ],
  },
  plugins: [examples()],
  worker: { format: "es" },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
  },
  preview: { host: "127.0.0.1" },
});
