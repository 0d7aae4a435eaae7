/**
 * Options are documented once (issue #10): `expected`, `poiTest`, `allowNegativeSignal` and the
 * optimiser settings are declared, with their defaults, on one named exported type each
 * (`ExpectedOption` in core/expectation.ts, `PoiTestOption` and `AllowNegativeSignalOption` in
 * config/model-config.ts, `OptimiserOptions` in optimize/types.ts); every public options interface
 * extends them instead of re-declaring the member. Internal request types that must carry an
 * explicit `undefined` (`optimiser?: MinimizeOptions | undefined`) are not options and not counted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type AllowNegativeSignalOption,
  type ExpectedOption,
  getBackend,
  InvalidInput,
  type OptimiserOptions,
  type PoiTestOption,
} from "../../src/index.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** A re-declared interface member, its one home, and what the declaration looks like. */
const OPTIONS = [
  { member: "expected", home: "core/expectation.ts", pattern: /^\s*readonly expected\?: ExpectationType;/m },
  { member: "optimiser", home: "optimize/types.ts", pattern: /^\s*readonly optimiser\?: MinimizeOptions;/m },
  {
    member: "poiTest",
    home: "config/model-config.ts",
    pattern: /^\s*readonly poiTest\?: number \| ParameterValues;/m,
  },
  {
    member: "allowNegativeSignal",
    home: "config/model-config.ts",
    pattern: /^\s*readonly allowNegativeSignal\?: boolean;/m,
  },
];

describe("options documented once", () => {
  it("expected, optimiser, poiTest and allowNegativeSignal are declared only on their named types", () => {
    const files = sources(SRC).map((f) => ({
      path: relative(SRC, f).split("\\").join("/"),
      text: readFileSync(f, "utf8"),
    }));
    for (const { member, home, pattern } of OPTIONS) {
      const declaring = files.filter((f) => pattern.test(f.text)).map((f) => f.path);
      expect(declaring, `${member} is declared outside ${home}`).toEqual([home]);
    }
  });

  it("the named types carry the members (a compile-time check, and the defaults in their docs)", () => {
    const options: ExpectedOption & PoiTestOption & AllowNegativeSignalOption & OptimiserOptions = {
      expected: "apriori",
      poiTest: 0.5,
      allowNegativeSignal: true,
      optimiser: { gradientTolerance: 1e-10 },
    };
    expect(Object.keys(options).sort()).toEqual(["allowNegativeSignal", "expected", "optimiser", "poiTest"]);
    const expectation = readFileSync(join(SRC, "core/expectation.ts"), "utf8");
    expect(expectation).toMatch(
      /interface ExpectedOption \{\n\s*\/\*\* See \{@link ExpectationType\}\. Default "observed"\. \*\//,
    );
    expect(readFileSync(join(SRC, "config/model-config.ts"), "utf8")).toMatch(
      /Default 1\. \*\/\n\s*readonly poiTest\?/,
    );
  });
});

describe("one naming scheme for iteration bounds and tolerances (core/tolerances.ts)", () => {
  it("no options type declares scipy's names (xtol, xatol, rtol, maxiter, atol, tol) except the deprecated aliases", () => {
    const scipy = /^\s*(?:readonly\s+)?(xtol|xatol|rtol|atol|tol|maxiter|maxIter)\??:/m;
    const declaring = sources(SRC)
      .map((f) => ({ path: relative(SRC, f).split("\\").join("/"), text: readFileSync(f, "utf8") }))
      .filter((f) => scipy.test(f.text))
      .map((f) => f.path);
    expect(declaring).toEqual(["core/tolerances.ts"]);
  });

  // a small model whose limit and χ² interval take several root-finder steps
  const model = () =>
    getBackend("default.uncorrelated_background")({
      signalYields: [3, 2],
      backgroundYields: [10, 5],
      data: [12, 4],
      absoluteUncertainties: [2, 1],
    });

  it("poiUpperLimit: the deprecated rtol and maxiter are read as relativeTolerance and maxIterations", () => {
    const m = model();
    const named = m.poiUpperLimit({ relativeTolerance: 1e-2, maxIterations: 50 });
    // a looser tolerance stops the search at another point: the alias must reproduce exactly that one
    expect(named).not.toBe(m.poiUpperLimit());
    expect(m.poiUpperLimit({ rtol: 1e-2, maxiter: 50 })).toBe(named);
    // the same value under both names is accepted; different values are refused, naming both
    expect(m.poiUpperLimit({ relativeTolerance: 1e-2, rtol: 1e-2, maxIterations: 50 })).toBe(named);
    expect(() => m.poiUpperLimit({ relativeTolerance: 1e-3, rtol: 1e-5 })).toThrow(InvalidInput);
    expect(() => m.poiUpperLimit({ maxIterations: 10, maxiter: 20 })).toThrow(/maxIterations = 10 .* maxiter = 20/);
  });

  it("chi2Test: the deprecated xtol, rtol and maxiter are read as absoluteTolerance, relativeTolerance, maxIterations", () => {
    const m = model();
    // loose tolerances stop the refinement of the left crossing early, a bound of 2 iterations both
    const loose = m.chi2Test({ absoluteTolerance: 0.1, relativeTolerance: 0.1 });
    const capped = m.chi2Test({ maxIterations: 2 });
    expect(loose).toHaveLength(2);
    expect(loose).not.toEqual(m.chi2Test());
    expect(capped).not.toEqual(m.chi2Test());
    expect(m.chi2Test({ xtol: 0.1, rtol: 0.1 })).toEqual(loose);
    expect(m.chi2Test({ maxiter: 2 })).toEqual(capped);
    expect(() => m.chi2Test({ absoluteTolerance: 1e-6, xtol: 1e-8 })).toThrow(/absoluteTolerance .* xtol/);
  });
});
