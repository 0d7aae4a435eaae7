import type { Command } from "commander";
import { limitSummary } from "spey";
import { BAND_LABELS, fmt, table } from "../format.js";
import {
  calctype,
  confidenceLevel,
  expectedBand,
  limitCalculator,
  resolveCalculator,
  type ToyFlags,
  withToyOptions,
} from "../options.js";
import { toyOptions } from "./cls.js";
import {
  emitResult,
  type FitFlags,
  load,
  type ModelOptions,
  modelCommand,
  optimiserOf,
  withFitOptions,
  withPatches,
} from "./common.js";

interface LimitOptions extends ModelOptions, ToyFlags, FitFlags {
  readonly expected: "aposteriori" | "apriori";
  readonly cl: number;
  readonly calculator?: "asymptotic" | "toy";
  readonly calctype?: "asymptotics" | "toybased";
}

export function registerLimit(program: Command): void {
  modelCommand(
    withFitOptions(
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
            "asymptotic (default) or toy (toys of every tested μ share the seed)",
            limitCalculator,
          )
          .option("--calctype <name>", "pyhf's name: asymptotics or toybased", calctype),
      ),
    ),
  ).action(async (file: string, patches: string[], flags: LimitOptions) => {
    const options = withPatches(patches, flags);
    const { model, source } = await load(file, options);
    const calculatorName = resolveCalculator(options.calculator, options.calctype, "asymptotic");
    const { toys, progress, onProgress } = toyOptions(calculatorName, options, "toys of one tested μ");
    let observed: number;
    let expected: number[];
    try {
      ({ observed, expected } = limitSummary(model, {
        confidenceLevel: options.cl,
        expected: options.expected,
        calculator: calculatorName,
        ...toys,
        ...(onProgress ? { onProgress } : {}),
        ...optimiserOf(options),
      }));
    } finally {
      progress?.finish();
    }
    emitResult(options, {
      json: () => ({
        model: source,
        backend: model.backendType,
        confidenceLevel: options.cl,
        calculator: calculatorName,
        ...toys,
        expectedType: options.expected,
        bands: [...BAND_LABELS],
        upperLimit: { observed, expected },
      }),
      table: () => {
        const rows = [
          ["observed", fmt(observed)],
          ...BAND_LABELS.map((label, i) => [`expected ${label}`, fmt(expected[i] as number)]),
        ];
        return `${source} (${model.backendType}): ${+(options.cl * 100).toFixed(4)}% CL upper limit on μ, ${options.expected} expected\n${table(["", "μ_UL"], rows)}`;
      },
    });
  });
}
