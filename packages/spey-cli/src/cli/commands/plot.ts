import { type Command, InvalidArgumentError } from "commander";
import { isObject } from "../../batch/description.js";
import { print } from "../format.js";
import { InputFileError, readJsonInput } from "../json-input.js";
import { collect, confidenceLevel, finiteNumber, integerBetween, numberBetween, oneOf } from "../options.js";
import type { LoadedModel } from "../model-file.js";
import { loadInput, type ModelOptions, PATCHES_HELP, withPatches, workspaceOptions } from "./common.js";
import { decodeContours, decodeScan, gridPoints, isContourFile, isScanOutput } from "./plot-inputs.js";
import { type ScanCommandOptions, scanModel, scanOptions, toBrazil, toLikelihood } from "./scan.js";

interface PlotOptions {
  readonly output?: string[];
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  readonly scale: number;
  readonly idPrefix?: string;
}

function plotOptions(command: Command): Command {
  return command
    .option(
      "-o, --output <file>",
      "write to this .svg or .png file (repeatable; default: SVG on standard output)",
      collect,
    )
    .option("--title <text>", "title above the plot")
    .option("--width <px>", "width in pixels (100 to 10000)", integerBetween("--width", 100, 10_000))
    .option("--height <px>", "height in pixels (100 to 10000)", integerBetween("--height", 100, 10_000))
    .option("--scale <factor>", "PNG resolution: pixels per SVG pixel (0.1 to 8)", numberBetween("--scale", 0.1, 8), 2)
    .option("--id-prefix <text>", "prefix of the element ids in the SVG", "spey-plot");
}

function common(options: PlotOptions) {
  return {
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.width !== undefined ? { width: options.width } : {}),
    ...(options.height !== undefined ? { height: options.height } : {}),
    ...(options.idPrefix !== undefined ? { idPrefix: options.idPrefix } : {}),
  };
}

async function emit(svg: Element, options: PlotOptions): Promise<void> {
  const { writePlot } = await import("../render.js");
  const written = await writePlot(svg, options.output ?? [], options.scale);
  for (const path of written) print(`wrote ${path}`);
}

/** A scan from a model file (computed now) or from the saved output of `spey scan --json`. */
async function scanOf(file: string, options: ScanCommandOptions) {
  const input = readJsonInput(file);
  if (isObject(input.value) && isScanOutput(input.value)) return decodeScan(input.value, input.source);
  return scanModel(await loadInput(input, options), options);
}

/** "label [unit]" (the unit once, even when the label already ends with it). */
function withUnit(label: string, unit: string | undefined): string {
  if (unit === undefined || unit === "" || label.endsWith(`[${unit}]`)) return label;
  return `${label} [${unit}]`;
}

const SCAN_INPUT = 'model file, pyhf workspace, "-" for standard input, or the saved output of `spey scan --json`';

export function registerPlot(program: Command): void {
  const plot = program
    .command("plot")
    .description("draw plots as SVG or PNG: brazil, scan, grid, contour, pulls (see `spey plot <kind> --help`)");

  plotOptions(
    scanOptions(
      workspaceOptions(
        plot
          .command("brazil")
          .description(
            "Brazil band: CLs against μ, observed and expected with the ±1σ/±2σ bands and the CLs = 1 − CL line",
          )
          .argument("<input>", SCAN_INPUT)
          .argument("[patches...]", PATCHES_HELP)
          .option("--log", "logarithmic CLs axis"),
      ),
    ),
  ).action(async (file: string, patches: string[], flags: ScanCommandOptions & PlotOptions & { log?: boolean }) => {
    const options = withPatches(patches, flags);
    const { createDocument } = await import("../render.js");
    const { brazilBandPlot } = await import("spey/plots");
    const scan = await scanOf(file, options);
    const svg = brazilBandPlot(toBrazil(scan), {
      document: createDocument(),
      ...common(options),
      logY: Boolean(options.log),
    });
    await emit(svg, options);
  });

  plotOptions(
    scanOptions(
      workspaceOptions(
        plot
          .command("scan")
          .description(
            "profile-likelihood scan: Δ(−2 ln L) against μ, observed and pre-fit expected, with the 68%/95% levels",
          )
          .argument("<input>", SCAN_INPUT)
          .argument("[patches...]", PATCHES_HELP),
      ),
    ),
  ).action(async (file: string, patches: string[], flags: ScanCommandOptions & PlotOptions) => {
    const options = withPatches(patches, flags);
    const { createDocument } = await import("../render.js");
    const { likelihoodScanPlot } = await import("spey/plots");
    const scan = await scanOf(file, options);
    const svg = likelihoodScanPlot(toLikelihood(scan), { document: createDocument(), ...common(options) });
    await emit(svg, options);
  });

  plotOptions(
    plot
      .command("grid")
      .description("upper limits across a batch grid: cells coloured by μ_UL, with the μ_UL = 1 exclusion contours")
      .argument("<results>", "results file of `spey batch` (or of `spey merge`)")
      .option("--x <key>", "meta field on the x axis (default: the first numeric one)")
      .option("--y <key>", "meta field on the y axis (default: the second numeric one)")
      .option("--x-label <text>", "x-axis label (default: the field name)")
      .option("--y-label <text>", "y-axis label (default: the field name)")
      .option("--x-unit <unit>", 'unit of the x axis, shown as "label [unit]" (e.g. GeV)')
      .option("--y-unit <unit>", 'unit of the y axis, shown as "label [unit]" (e.g. GeV)')
      .option(
        "--color <limit>",
        "colour by the observed or the expected (median) limit",
        oneOf("--color", ["observed", "expected"] as const),
        "observed",
      ),
  ).action(
    async (
      file: string,
      options: PlotOptions & {
        x?: string;
        y?: string;
        xLabel?: string;
        yLabel?: string;
        xUnit?: string;
        yUnit?: string;
        color: "observed" | "expected";
      },
    ) => {
      const { createDocument } = await import("../render.js");
      const { upperLimitGridPlot } = await import("spey/plots");
      const { points, x, y } = gridPoints(file, { x: options.x, y: options.y });
      const svg = upperLimitGridPlot(points, {
        document: createDocument(),
        ...common(options),
        xLabel: withUnit(options.xLabel ?? x, options.xUnit),
        yLabel: withUnit(options.yLabel ?? y, options.yUnit),
        colorBy: options.color,
      });
      await emit(svg, options);
    },
  );

  plotOptions(
    workspaceOptions(
      plot
        .command("contour")
        .description(
          "2-D confidence contours: from a JSON file of contour results (findContour's), or computed for a model file",
        )
        .argument("<input>", 'contour results (one, an array, or {contours}), a model file, a pyhf workspace, or "-"')
        .argument("[patches...]", PATCHES_HELP)
        .option(
          "--cl <levels>",
          "confidence levels of the contours computed for a model (comma-separated)",
          "0.6827,0.95",
        )
        .option(
          "--parameters <a,b>",
          "the two parameters (names or indices) of a model's contours (default: μ and the next one)",
        )
        .option("--best-fit <x,y>", "mark the best fit at x,y (default: the contours' best fit)")
        .option("--x-label <text>", "x-axis label (default: the first parameter name)")
        .option("--y-label <text>", "y-axis label (default: the second parameter name)"),
    ),
  ).action(
    async (
      file: string,
      patches: string[],
      flags: PlotOptions & {
        cl: string;
        parameters?: string;
        patch?: string[];
        bestFit?: string;
        xLabel?: string;
        yLabel?: string;
      },
    ) => {
      const options = withPatches(patches, flags);
      const { createDocument } = await import("../render.js");
      const { contourPlot } = await import("spey/plots");
      const input = readJsonInput(file);
      const { contours, bestFit } = isContourFile(input.value)
        ? decodeContours(input.value, input.source)
        : { contours: await computeContours(await loadInput(input, options), options), bestFit: undefined };
      const best = options.bestFit ? options.bestFit.split(",").map((v) => finiteNumber("--best-fit")(v)) : bestFit;
      const svg = contourPlot(contours, {
        document: createDocument(),
        ...common(options),
        ...(best ? { bestFit: best } : {}),
        ...(options.xLabel ? { xLabel: options.xLabel } : {}),
        ...(options.yLabel ? { yLabel: options.yLabel } : {}),
      });
      await emit(svg, options);
    },
  );

  plotOptions(
    workspaceOptions(
      plot
        .command("pulls")
        .description(
          "pulls of the constrained nuisance parameters after the fit, (θ̂ − θ₀)/Δθ ± σ̂/Δθ, over the ±1σ/±2σ prior bands",
        )
        .argument(
          "<input>",
          'model file, pyhf workspace, "-" for standard input, or the saved output of `spey fit --json`',
        )
        .argument("[patches...]", PATCHES_HELP),
    ),
  ).action(async (file: string, patches: string[], flags: PlotOptions & ModelOptions) => {
    const options = withPatches(patches, flags);
    const { createDocument } = await import("../render.js");
    const { pullsPlot } = await import("spey/plots");
    const input = readJsonInput(file);
    let parameters: unknown;
    if (isObject(input.value) && Array.isArray(input.value.parameters) && isObject(input.value.correlation)) {
      parameters = input.value.parameters;
    } else {
      const { fitModel } = await import("./fit.js");
      const { model, source } = await loadInput(input, options);
      parameters = fitModel(model, source, "observed").parameters;
    }
    const pulls = (parameters as Record<string, unknown>[])
      .filter((p) => isObject(p) && typeof p.pull === "number")
      .map((p) => ({
        name: String(p.name),
        pull: p.pull as number,
        uncertainty: typeof p.pullUncertainty === "number" ? p.pullUncertainty : null,
      }));
    if (pulls.length === 0) {
      throw new InputFileError(
        `${input.source}: the fit has no constrained nuisance parameters (pulls are defined for HistFactory workspaces and the simplified likelihoods' θ).`,
      );
    }
    const svg = pullsPlot({ parameters: pulls }, { document: createDocument(), ...common(options) });
    await emit(svg, options);
  });
}

/** The contours of a model at each of the `--cl` levels, in the plane of `--parameters`. */
async function computeContours(loaded: LoadedModel, options: { cl: string; parameters?: string }) {
  const { findContour } = await import("spey");
  const levels = options.cl.split(",").map((v) => confidenceLevel(v.trim()));
  const config = loaded.model.config();
  const parameters = options.parameters
    ? options.parameters.split(",").map((p) => (/^\d+$/.test(p.trim()) ? Number(p) : p.trim()))
    : [config.poiIndex, config.poiIndex === 0 ? 1 : 0];
  if (parameters.length !== 2)
    throw new InvalidArgumentError(`--parameters takes two names or indices; got "${options.parameters}".`);
  if (config.npar < 2)
    throw new InputFileError(`${loaded.source}: the model has one parameter; a 2-D contour needs two.`);
  const names = parameters.map((p) =>
    typeof p === "number" ? (config.parameterNames?.[p] ?? (p === config.poiIndex ? "μ" : `θ${p}`)) : p,
  );
  return levels.map((confidenceLevel) => ({
    ...findContour(loaded.model, { confidenceLevel, poiIndices: parameters }),
    parameterNames: names,
  }));
}
