import type { Command } from "commander";
import { fmt, table } from "../format.js";
import { expectedBand } from "../options.js";
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

interface SignificanceOptions extends ModelOptions, FitFlags {
  readonly expected: "aposteriori" | "apriori";
}

export function registerSignificance(program: Command): void {
  modelCommand(
    withFitOptions(
      program
        .command("significance")
        .description(
          "discovery significance Z = √q0 and p-value of the background-only hypothesis, observed and expected",
        )
        .option(
          "--expected <type>",
          "expected: aposteriori (post-fit) or apriori (pre-fit)",
          expectedBand,
          "aposteriori",
        ),
    ),
  ).action(async (file: string, patches: string[], flags: SignificanceOptions) => {
    const options = withPatches(patches, flags);
    const { model, source } = await load(file, options);
    const [sqrtQ0A, sqrtQ0, pValues, expectedPValues] = model.significance({
      expected: options.expected,
      ...optimiserOf(options),
    });
    emitResult(options, {
      json: () => ({
        model: source,
        backend: model.backendType,
        expectedType: options.expected,
        observed: { significance: sqrtQ0, pValue: pValues[0] },
        expected: { significance: sqrtQ0A, pValue: expectedPValues[2], pValues: expectedPValues },
      }),
      table: () =>
        `${source} (${model.backendType}): discovery significance, ${options.expected} expected\n${table(
          ["", "Z (σ)", "p-value"],
          [
            ["observed", fmt(sqrtQ0), fmt(pValues[0] as number)],
            ["expected", fmt(sqrtQ0A), fmt(expectedPValues[2] as number)],
          ],
        )}`,
    });
  });
}
