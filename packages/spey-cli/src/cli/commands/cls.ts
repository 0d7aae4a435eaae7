import type { Command } from "commander";
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
  const toys = options.calculator === "toy" ? { ntoys: options.ntoys ?? 1000, seed: options.seed ?? 0 } : {};
  const [observed, posterior] = model.exclusionConfidenceLevel({
    poiTest: options.poiTest,
    expected: "all",
    calculator: options.calculator,
    ...toys,
  });
  const band =
    options.expected === "apriori"
      ? model.exclusionConfidenceLevel({
          poiTest: options.poiTest,
          expected: "apriori",
          calculator: options.calculator,
          ...toys,
        })
      : posterior;
  return {
    model: source,
    backend: model.backendType,
    poiTest: options.poiTest,
    calculator: options.calculator,
    ...toys,
    expectedType: options.expected,
    bands: [...BAND_LABELS],
    cls: { observed: 1 - (observed[0] as number), expected: band.map((v) => 1 - v) },
    oneMinusCls: { observed: observed[0] as number, expected: band },
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
