import type { Command } from "commander";
import { ComputationError } from "spey";
import { brazilBandData, likelihoodScanData, muGrid } from "spey/plots";
import type { BrazilBandData, LikelihoodScanData } from "spey/plots";
import { BAND_LABELS, fmt, table } from "../format.js";
import { calculator, confidenceLevel, expectedBand, integerAtLeast, type MuRange, muRange } from "../options.js";
import type { LoadedModel } from "../model-file.js";
import { Progress } from "../context.js";
import { emitResult, load, type ModelOptions, modelCommand, withPatches } from "./common.js";

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
  /** The computed upper limits (observed, expected −2σ…+2σ) at `confidenceLevel`, when known. */
  upperLimit?: { observed: number; expected: number[] };
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
  const upperLimit = upperLimitsOf(model, options);
  const [start, stop] = options.mu ? [options.mu.start, options.mu.stop] : rangeFromLimits(upperLimit);
  const mus = muGrid(start, stop, options.mu?.points ?? options.points);
  // One μ at a time, so that a long scan shows its progress on a terminal.
  const progress = new Progress("spey: scan", mus.length + 1);
  const observed: number[] = [];
  const expected: number[][] = [];
  let likelihood: ReturnType<typeof likelihoodScanData>;
  try {
    mus.forEach((mu, i) => {
      const point = brazilBandData(model, [mu], scan);
      observed.push(point.observed?.[0] as number);
      expected.push(point.expected[0] as number[]);
      progress.tick(i + 1);
    });
    likelihood = likelihoodScanData(model, mus);
  } finally {
    progress.finish();
  }
  const brazil = { observed, expected };
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
    upperLimit,
  };
}

/** Observed and expected upper limits (the Brazil legend shows them; they also set the μ range). */
function upperLimitsOf(
  model: LoadedModel["model"],
  options: ScanCommandOptions,
): { observed: number; expected: number[] } {
  const confidenceLevel = options.cl;
  return {
    observed: model.poiUpperLimit({ expected: "observed", confidenceLevel }),
    expected: model.poiUpperLimit({
      expected: options.expected,
      confidenceLevel,
      expectedPvalue: "2sigma",
    }) as number[],
  };
}

/** From 0 to 1.6 × the weakest finite limit (the whole exclusion curve). */
function rangeFromLimits(limits: { observed: number; expected: number[] }): [number, number] {
  let weakest = 0;
  for (const x of [limits.observed, ...limits.expected]) if (Number.isFinite(x) && x > weakest) weakest = x;
  if (!(weakest > 0)) {
    throw new ComputationError(
      "the model sets no finite upper limit on μ, so no scan range can be chosen; give one with --mu start:stop.",
    );
  }
  return [0, 1.6 * weakest];
}

/** The Brazil-band data of a scan. */
export function toBrazil(scan: ScanOutput): BrazilBandData {
  return {
    poiValues: scan.poiValues,
    observed: scan.cls.observed,
    expected: scan.cls.expected,
    confidenceLevel: scan.confidenceLevel,
    ...(scan.upperLimit ? { upperLimits: scan.upperLimit } : {}),
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
    emitResult(options, { json: () => out, table: () => scanTable(out) });
  });
}

/** The scan as a table. */
function scanTable(out: ScanOutput): string {
  const head = `${out.model} (${out.backend}): CLs (${out.expectedType} expected, ${out.calculator}) and Δ(−2 ln L); best fit μ̂ = ${fmt(out.muHat)}`;
  const rows = out.poiValues.map((mu, i) => [
    fmt(mu),
    fmt(out.cls.observed[i] as number),
    ...BAND_LABELS.map((_, k) => fmt((out.cls.expected[i] as number[])[k] as number)),
    fmt(out.deltaMinus2LogL.observed[i] as number),
    fmt(out.deltaMinus2LogL.expected[i] as number),
  ]);
  return `${head}\n${table(["μ", "CLs obs", ...BAND_LABELS.map((l) => `exp ${l}`), "Δ(−2lnL) obs", "Δ(−2lnL) exp"], rows)}`;
}
