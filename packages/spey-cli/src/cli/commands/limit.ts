import type { Command } from "commander";
import { limitSummary } from "spey";
import { BAND_LABELS, fmt, print, printJson, table } from "../format.js";
import { confidenceLevel, expectedBand, limitCalculator, type ToyFlags, withToyOptions } from "../options.js";
import { load, type ModelOptions, modelCommand, withPatches } from "./common.js";

interface LimitOptions extends ModelOptions, ToyFlags {
  readonly expected: "aposteriori" | "apriori";
  readonly cl: number;
  readonly calculator: "asymptotic" | "toy";
}

export function registerLimit(program: Command): void {
  modelCommand(
    withToyOptions(
      program
        .command("limit")
        .description("upper limit on μ at a confidence level: observed, and expected with the ±1σ/±2σ bands")
        .option("--cl <level>", "confidence level", confidenceLevel, 0.95)
        .option(
          "--expected <type>",
          "expected band: aposteriori (post-fit) or apriori (pre-fit)",
          expectedBand,
          "aposteriori",
        )
        .option(
          "--calculator <name>",
          "asymptotic or toy (toys of every tested μ share the seed)",
          limitCalculator,
          "asymptotic",
        ),
    ),
  ).action(async (file: string, patches: string[], flags: LimitOptions) => {
    const options = withPatches(patches, flags);
    const { model, source } = await load(file, options);
    const { observed, expected } = limitSummary(model, {
      confidenceLevel: options.cl,
      expected: options.expected,
      calculator: options.calculator,
      ...(options.calculator === "toy" ? { ntoys: options.ntoys, seed: options.seed } : {}),
    });
    if (options.json) {
      return printJson({
        model: source,
        backend: model.backendType,
        confidenceLevel: options.cl,
        calculator: options.calculator,
        ...(options.calculator === "toy" ? { ntoys: options.ntoys, seed: options.seed } : {}),
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
