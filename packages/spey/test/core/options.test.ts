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
import type { AllowNegativeSignalOption, ExpectedOption, OptimiserOptions, PoiTestOption } from "../../src/index.js";

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
