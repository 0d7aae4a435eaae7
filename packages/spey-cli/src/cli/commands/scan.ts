import type { Command } from "commander";
import { brazilBandData, likelihoodScanData, muGrid, suggestMuRange } from "spey/plots";
import type { BrazilBandData, LikelihoodScanData } from "spey/plots";
import { BAND_LABELS, fmt, print, printJson, table } from "../format.js";
import { calculator, confidenceLevel, expectedBand, integerAtLeast, type MuRange, muRange } from "../options.js";
import type { LoadedModel } from "../model-file.js";
import { load, type ModelOptions, modelCommand, withPatches } from "./common.js";

/** Options of the scans (`spey scan`, `spey plot brazil|scan`). */
export interface ScanCommandOptions extends ModelOptions {
  readonly mu?: MuRange;
  readonly points: number;
  readonly expected: "aposteriori" | "apriori";
  readonly calculator: "asymptotic" | "chi_square" | "toy";
  readonly cl: number;
}

/** The JSON of `spey scan --json` (also an input of `spey plot brazil` and `spey plot scan`). */
export interface ScanOutput {
  model: string;
  backend: string;
  confidenceLevel: number;
  expectedType: "aposteriori" | "apriori";
  calculator: string;
  bands: string[];
  poiValues: number[];
  cls: { observed: number[]; expected: number[][] };
  deltaMinus2LogL: { observed: number[]; expected: number[] };
  muHat: number;
}

/** Add the scan options to a command. */
export function scanOptions(command: Command): Command {
  return command
    .option("--mu <start:stop[:points]>", "μ range (default 0 to 1.6 × the weakest upper limit)", muRange)
    .option("--points <n>", "number of μ values when --mu has no count", integerAtLeast("--points", 2), 21)
    .option("--cl <level>", "confidence level (of the CLs line and the automatic range)", confidenceLevel, 0.95)
    .option(
      "--expected <type>",
      "expected band: aposteriori (post-fit) or apriori (pre-fit)",
      expectedBand,
      "aposteriori",
    )
    .option("--calculator <name>", "asymptotic, chi_square or toy", calculator, "asymptotic");
}

/** Compute CLs and Δ(−2 ln L) over the μ range of the options. */
export async function computeScan(file: string, options: ScanCommandOptions): Promise<ScanOutput> {
  return scanModel(await load(file, options), options);
}

/** {@link computeScan} for a loaded model. */
export function scanModel({ model, source }: LoadedModel, options: ScanCommandOptions): ScanOutput {
  const scan = { expected: options.expected, calculator: options.calculator, confidenceLevel: options.cl };
  const [start, stop] = options.mu ? [options.mu.start, options.mu.stop] : suggestMuRange(model, scan);
  const mus = muGrid(start, stop, options.mu?.points ?? options.points);
  const brazil = brazilBandData(model, mus, scan);
  const likelihood = likelihoodScanData(model, mus);
  return {
    model: source,
    backend: model.backendType,
    confidenceLevel: options.cl,
    expectedType: options.expected,
    calculator: options.calculator,
    bands: [...BAND_LABELS],
    poiValues: mus,
    cls: { observed: brazil.observed as number[], expected: brazil.expected as number[][] },
    deltaMinus2LogL: { observed: likelihood.observed as number[], expected: likelihood.expected as number[] },
    muHat: likelihood.muHat as number,
  };
}

/** The Brazil-band data of a scan. */
export function toBrazil(scan: ScanOutput): BrazilBandData {
  return {
    poiValues: scan.poiValues,
    observed: scan.cls.observed,
    expected: scan.cls.expected,
    confidenceLevel: scan.confidenceLevel,
  };
}

/** The likelihood-scan data of a scan. */
export function toLikelihood(scan: ScanOutput): LikelihoodScanData {
  return {
    poiValues: scan.poiValues,
    observed: scan.deltaMinus2LogL.observed,
    expected: scan.deltaMinus2LogL.expected,
    muHat: scan.muHat,
  };
}

export function registerScan(program: Command): void {
  scanOptions(
    modelCommand(
      program
        .command("scan")
        .description("scan μ: CLs (observed, expected ±1σ/±2σ) and Δ(−2 ln L) (observed, pre-fit expected)"),
    ),
  ).action(async (file: string, patches: string[], flags: ScanCommandOptions) => {
    const options = withPatches(patches, flags);
    const out = await computeScan(file, options);
    if (options.json) return printJson(out);
    print(
      `${out.model} (${out.backend}): CLs (${out.expectedType} expected, ${out.calculator}) and Δ(−2 ln L); best fit μ̂ = ${fmt(out.muHat)}`,
    );
    const rows = out.poiValues.map((mu, i) => [
      fmt(mu),
      fmt(out.cls.observed[i] as number),
      ...BAND_LABELS.map((_, k) => fmt((out.cls.expected[i] as number[])[k] as number)),
      fmt(out.deltaMinus2LogL.observed[i] as number),
      fmt(out.deltaMinus2LogL.expected[i] as number),
    ]);
    print(table(["μ", "CLs obs", ...BAND_LABELS.map((l) => `exp ${l}`), "Δ(−2lnL) obs", "Δ(−2lnL) exp"], rows));
  });
}
