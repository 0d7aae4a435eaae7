import type { Command } from "commander";
import { BAND_LABELS, fmt, print, printJson, table } from "../format.js";
import { confidenceLevel, expectedBand } from "../options.js";
import { load, type ModelOptions, modelCommand, withPatches } from "./common.js";

interface LimitOptions extends ModelOptions {
  readonly expected: "aposteriori" | "apriori";
  readonly cl: number;
}

export function registerLimit(program: Command): void {
  modelCommand(
    program
      .command("limit")
      .description("upper limit on μ at a confidence level: observed, and expected with the ±1σ/±2σ bands")
      .option("--cl <level>", "confidence level", confidenceLevel, 0.95)
      .option(
        "--expected <type>",
        "expected band: aposteriori (post-fit) or apriori (pre-fit)",
        expectedBand,
        "aposteriori",
      ),
  ).action(async (file: string, patches: string[], flags: LimitOptions) => {
    const options = withPatches(patches, flags);
    const { model, source } = await load(file, options);
    const observed = model.poiUpperLimit({ expected: "observed", confidenceLevel: options.cl });
    const expected = model.poiUpperLimit({
      expected: options.expected,
      confidenceLevel: options.cl,
      expectedPvalue: "2sigma",
    }) as number[];
    if (options.json) {
      return printJson({
        model: source,
        backend: model.backendType,
        confidenceLevel: options.cl,
        expectedType: options.expected,
        bands: [...BAND_LABELS],
        upperLimit: { observed, expected },
      });
    }
    print(
      `${source} (${model.backendType}): ${+(options.cl * 100).toFixed(4)}% CL upper limit on μ, ${options.expected} expected`,
    );
    const rows = [
      ["observed", fmt(observed)],
      ...BAND_LABELS.map((label, i) => [`expected ${label}`, fmt(expected[i] as number)]),
    ];
    print(table(["", "μ_UL"], rows));
  });
}
