import type { Command } from "commander";
import { clsSummary, EXPECTED_BAND } from "spey";
import { BAND_LABELS, fmt, print, printJson, table } from "../format.js";
import { calculator, expectedBand, finiteNumber, type ToyFlags, withToyOptions } from "../options.js";
import { load, type ModelOptions, modelCommand, withPatches } from "./common.js";

interface ClsOptions extends ModelOptions, Partial<ToyFlags> {
  readonly poiTest: number;
  readonly expected: "aposteriori" | "apriori";
  readonly calculator: "asymptotic" | "chi_square" | "toy";
}

/** CLs observed and expected (1 − CLs as the library returns it, too). */
export async function computeCls(file: string, options: ClsOptions) {
  const { model, source } = await load(file, options);
  const summary = clsSummary(model, {
    poiTest: options.poiTest,
    expected: options.expected,
    calculator: options.calculator,
    ...(options.calculator === "toy" ? { ntoys: options.ntoys ?? 1000, seed: options.seed ?? 0 } : {}),
  });
  return {
    model: source,
    backend: model.backendType,
    poiTest: summary.poiTest,
    calculator: summary.calculator,
    ...(summary.ntoys === undefined ? {} : { ntoys: summary.ntoys, seed: summary.seed }),
    expectedType: summary.expectedType,
    bands: [...EXPECTED_BAND],
    cls: { observed: summary.observed, expected: summary.expected },
    oneMinusCls: { observed: 1 - summary.observed, expected: summary.expected.map((v) => 1 - v) },
  };
}

export function registerCls(program: Command): void {
  modelCommand(
    withToyOptions(
      program
        .command("cls")
        .description(
          "CLs of the signal hypothesis μ (and 1 − CLs, the exclusion confidence level), observed and expected",
        )
        .option("--poi-test <mu>", "tested signal strength μ", finiteNumber("--poi-test"), 1)
        .option(
          "--expected <type>",
          "expected band: aposteriori (post-fit) or apriori (pre-fit)",
          expectedBand,
          "aposteriori",
        )
        .option("--calculator <name>", "asymptotic, chi_square or toy", calculator, "asymptotic"),
    ),
  ).action(async (file: string, patches: string[], flags: ClsOptions) => {
    const options = withPatches(patches, flags);
    const out = await computeCls(file, options);
    if (options.json) return printJson(out);
    print(
      `${out.model} (${out.backend}), μ = ${out.poiTest}, ${out.calculator} calculator, ${out.expectedType} expected`,
    );
    const rows = [["observed", fmt(out.cls.observed), fmt(out.oneMinusCls.observed)]];
    BAND_LABELS.forEach((label, i) => {
      rows.push([`expected ${label}`, fmt(out.cls.expected[i] as number), fmt(out.oneMinusCls.expected[i] as number)]);
    });
    print(table(["", "CLs", "1 − CLs"], rows));
  });
}
