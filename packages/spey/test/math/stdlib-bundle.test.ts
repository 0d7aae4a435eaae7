import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a build script in plain JavaScript, without type declarations.
import { bundleStdlib } from "../../scripts/bundle-stdlib.mjs";
import * as source from "../../src/math/stdlib.js";

/**
 * The library's build replaces its stdlib re-exports by one bundled file (fast start-up under
 * Node): the bundle must be self-contained and compute exactly what the packages compute.
 */
describe("the pre-bundled stdlib functions", () => {
  it("are one self-contained module with the same six functions, bit for bit", async () => {
    const input = fileURLToPath(new URL("../../src/math/stdlib.ts", import.meta.url));
    const code: string = await bundleStdlib(input);
    expect(code).not.toMatch(/\brequire\s*\(|\bimport\s*\(|\bfrom\s*["']/);
    const dir = mkdtempSync(join(tmpdir(), "spey-stdlib-"));
    try {
      const file = join(dir, "stdlib.mjs");
      writeFileSync(file, code);
      const bundled = await import(pathToFileURL(file).href);
      expect(Object.keys(bundled).sort()).toEqual(Object.keys(source).sort());
      // Same code, so identical results (NaN compares equal under Object.is).
      const xs = [-40, -8.5, -1, -1e-9, 0, 1e-300, 1e-9, 0.3, 1, 2.5, 7, 33.3, 150, 1e6];
      const ps = [0, 1e-300, 1e-20, 1e-5, 0.05, 0.5, 0.95, 1 - 1e-12, 1];
      for (const x of xs) {
        expect(Object.is(bundled.erfc(x), source.erfc(x))).toBe(true);
        expect(Object.is(bundled.gammaln(x), source.gammaln(x))).toBe(true);
        expect(Object.is(bundled.normalLogcdf(x, 0, 1), source.normalLogcdf(x, 0, 1))).toBe(true);
        for (const a of [0.5, 1, 3.5, 40]) {
          expect(Object.is(bundled.gammainc(Math.abs(x), a), source.gammainc(Math.abs(x), a))).toBe(true);
          expect(
            Object.is(bundled.gammainc(Math.abs(x), a, true, true), source.gammainc(Math.abs(x), a, true, true)),
          ).toBe(true);
        }
      }
      for (const p of ps) {
        expect(Object.is(bundled.erfcinv(2 * p), source.erfcinv(2 * p))).toBe(true);
        for (const a of [0.5, 1, 3.5, 40]) {
          expect(Object.is(bundled.gammaincinv(p, a), source.gammaincinv(p, a))).toBe(true);
          expect(Object.is(bundled.gammaincinv(p, a, true), source.gammaincinv(p, a, true))).toBe(true);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
