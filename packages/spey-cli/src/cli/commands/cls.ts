import type { Command } from "commander";
import { clsSummary, EXPECTED_BAND, type StatisticalModel } from "spey";
import { Progress } from "../context.js";
import { BAND_LABELS, fmt, table } from "../format.js";
import {
  aliased,
  calctype,
  calculator,
  expectedBand,
  finiteNumber,
  resolveCalculator,
  testStatistic,
  type ToyFlags,
  withToyOptions,
} from "../options.js";
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

interface ClsOptions extends ModelOptions, Partial<ToyFlags>, FitFlags {
  readonly poiTest?: number;
  readonly testPoi?: number;
  readonly expected: "aposteriori" | "apriori";
  readonly calculator?: "asymptotic" | "chi_square" | "toy";
  readonly calctype?: "asymptotics" | "toybased";
  readonly testStat: "qtilde" | "q";
}

/** Toy options with a progress bar on a terminal for long runs. */
export function toyOptions(calculatorName: string, options: Partial<ToyFlags>, what: string) {
  if (calculatorName !== "toy") return { toys: {}, progress: undefined };
  const ntoys = options.ntoys ?? 1000;
  const progress = new Progress(`spey: ${what}`, ntoys);
  return {
    toys: { ntoys, seed: options.seed ?? 0 },
    progress,
    onProgress: (done: number) => progress.tick(done),
  };
}

/** CLs observed and expected (1 − CLs as the library returns it, too). */
export function clsOfModel(model: StatisticalModel, source: string, options: ClsOptions) {
  const poiTest = aliased("--poi-test", options.poiTest, "--test-poi", options.testPoi, 1);
  const calc = resolveCalculator(options.calculator, options.calctype, "asymptotic");
  const { toys, progress, onProgress } = toyOptions(calc, options, "toys");
  try {
    const summary = clsSummary(model, {
      poiTest,
      expected: options.expected,
      calculator: calc,
      ...toys,
      ...(options.testStat === "q" ? { allowNegativeSignal: true } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...optimiserOf(options),
    });
    return {
      model: source,
      backend: model.backendType,
      poiTest: summary.poiTest,
      calculator: summary.calculator,
      testStatistic: options.testStat,
      ...(summary.ntoys === undefined ? {} : { ntoys: summary.ntoys, seed: summary.seed }),
      expectedType: summary.expectedType,
      bands: [...EXPECTED_BAND],
      cls: { observed: summary.observed, expected: summary.expected },
      oneMinusCls: { observed: 1 - summary.observed, expected: summary.expected.map((v) => 1 - v) },
    };
  } finally {
    progress?.finish();
  }
}

export function registerCls(program: Command): void {
  modelCommand(
    withFitOptions(
      withToyOptions(
        program
          .command("cls")
          .description(
            "CLs of the signal hypothesis μ (and 1 − CLs, the exclusion confidence level), observed and expected",
          )
          .option("--poi-test <mu>", "tested signal strength μ (default 1)", finiteNumber("--poi-test"))
          .option("--test-poi <mu>", "pyhf's name of --poi-test", finiteNumber("--test-poi"))
          .option(
            "--expected <type>",
            "expected band: aposteriori (post-fit) or apriori (pre-fit)",
            expectedBand,
            "aposteriori",
          )
          .option("--calculator <name>", "asymptotic (default), chi_square or toy", calculator)
          .option("--calctype <name>", "pyhf's name: asymptotics or toybased", calctype)
          .option(
            "--test-stat <name>",
            "test statistic: qtilde (μ̂ ≥ 0, default) or q (pyhf's option)",
            testStatistic,
            "qtilde",
          ),
      ),
    ),
    ["table", "json", "pyhf"],
  ).action(async (file: string, patches: string[], flags: ClsOptions) => {
    const options = withPatches(patches, flags);
    const { model, source } = await load(file, options);
    const out = clsOfModel(model, source, options);
    emitResult(options, {
      json: () => out,
      pyhf: () => ({ CLs_exp: out.cls.expected, CLs_obs: out.cls.observed }),
      table: () => {
        const rows = [["observed", fmt(out.cls.observed), fmt(out.oneMinusCls.observed)]];
        BAND_LABELS.forEach((label, i) => {
          rows.push([
            `expected ${label}`,
            fmt(out.cls.expected[i] as number),
            fmt(out.oneMinusCls.expected[i] as number),
          ]);
        });
        return `${out.model} (${out.backend}), μ = ${out.poiTest}, ${out.calculator} calculator, ${out.expectedType} expected\n${table(["", "CLs", "1 − CLs"], rows)}`;
      },
    });
  });
}
