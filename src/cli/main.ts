#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { availableBackends, getBackendMetadata } from "../backends/registry.js";
import { SpeyError } from "../errors.js";
import { setLogLevel } from "../logger.js";
import { VERSION } from "../version.js";
import { fmt, table, toJson } from "./format.js";
import { InputFileError, loadModel } from "./model-file.js";

/**
 * The `spey` command line. Exit codes: 0 success, 1 the computation failed, 2 bad input
 * (unreadable or malformed files, invalid arguments).
 */
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;

const BAND_LABELS = ["−2σ", "−1σ", "median", "+1σ", "+2σ"];

function number(name: string) {
  return (value: string) => {
    const x = Number(value);
    if (!Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number; got "${value}".`);
    return x;
  };
}

function expectation(value: string) {
  if (!["observed", "aposteriori", "apriori"].includes(value)) {
    throw new InvalidArgumentError(`must be observed, aposteriori or apriori; got "${value}".`);
  }
  return value as "observed" | "aposteriori" | "apriori";
}

interface ClsOptions {
  poiTest: number;
  expected: "aposteriori" | "apriori";
  calculator: "asymptotic" | "chi_square" | "toy";
  json?: boolean;
}

function runCls(file: string, options: ClsOptions): void {
  const model = loadModel(file);
  const [observed, expected] = model.exclusionConfidenceLevel({
    poiTest: options.poiTest,
    expected: "all",
    calculator: options.calculator,
  });
  const expectedBand =
    options.expected === "apriori"
      ? model.exclusionConfidenceLevel({ poiTest: options.poiTest, expected: "apriori", calculator: options.calculator })
      : expected;
  const cls = {
    poiTest: options.poiTest,
    observed: 1 - (observed[0] as number),
    expected: Object.fromEntries(BAND_LABELS.map((l, i) => [l, 1 - (expectedBand[i] as number)])),
  };
  if (options.json) {
    process.stdout.write(
      `${toJson({ model: file, backend: model.backendType, poiTest: options.poiTest, calculator: options.calculator, expectedType: options.expected, oneMinusCls: { observed: observed[0], expected: expectedBand }, cls: { observed: cls.observed, expected: expectedBand.map((x) => 1 - x) } })}\n`,
    );
    return;
  }
  process.stdout.write(`${file} (${model.backendType}), μ = ${options.poiTest}, ${options.calculator}\n`);
  const rows = [["observed", fmt(cls.observed), fmt(observed[0] as number)]];
  BAND_LABELS.forEach((l, i) => rows.push([`expected ${l}`, fmt(1 - (expectedBand[i] as number)), fmt(expectedBand[i] as number)]));
  process.stdout.write(`${table(["", "CLs", "1−CLs"], rows)}\n`);
}

interface LimitOptions {
  expected: "aposteriori" | "apriori";
  cl: number;
  json?: boolean;
}

function runLimit(file: string, options: LimitOptions): void {
  const model = loadModel(file);
  const observed = model.poiUpperLimit({ expected: "observed", confidenceLevel: options.cl });
  const band = model.poiUpperLimit({ expected: options.expected, confidenceLevel: options.cl, expectedPvalue: "2sigma" }) as number[];
  if (options.json) {
    process.stdout.write(
      `${toJson({ model: file, backend: model.backendType, confidenceLevel: options.cl, expectedType: options.expected, upperLimit: { observed, expected: band } })}\n`,
    );
    return;
  }
  process.stdout.write(`${file} (${model.backendType}), ${Math.round(options.cl * 100)}% CL upper limit on μ\n`);
  const rows = [["observed", fmt(observed)], ...BAND_LABELS.map((l, i) => [`expected ${l}`, fmt(band[i] as number)])];
  process.stdout.write(`${table(["", "μ_UL"], rows)}\n`);
}

function runBackends(options: { json?: boolean }): void {
  const metadata = availableBackends().map((name) => getBackendMetadata(name));
  if (options.json) {
    process.stdout.write(`${toJson(metadata)}\n`);
    return;
  }
  const rows = metadata.map((m) => [m.name, m.version, m.author, [...m.arXiv, ...m.doi].join(" ")]);
  process.stdout.write(`${table(["backend", "version", "author", "references"], rows)}\n`);
}

function guard(action: () => void): void {
  try {
    action();
  } catch (error) {
    const bad = error instanceof InputFileError || (error instanceof SpeyError && error.name === "InvalidInput");
    process.stderr.write(`spey: ${(error as Error).message}\n`);
    process.exitCode = bad ? EXIT_BAD_INPUT : EXIT_FAILED;
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("spey")
    .description("Statistics for reinterpreting LHC searches: CLs, upper limits, significances.")
    .version(VERSION)
    .option("-v, --verbose", "print warnings and information")
    .hook("preAction", (cmd) => {
      setLogLevel(cmd.opts().verbose ? 2 : 0);
    })
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
    });

  program
    .command("cls")
    .description("1 − CLs (exclusion confidence level) of the signal hypothesis μ, observed and expected")
    .argument("<model>", 'model file {"backend": ..., ...arguments} ("-" for standard input)')
    .option("--poi-test <mu>", "tested signal strength μ", number("--poi-test"), 1)
    .option("--expected <type>", "expected band: aposteriori (post-fit) or apriori (pre-fit)", expectation, "aposteriori")
    .option("--calculator <name>", "asymptotic, chi_square or toy", "asymptotic")
    .option("--json", "machine-readable output")
    .action((file: string, options: ClsOptions) => guard(() => runCls(file, options)));

  program
    .command("limit")
    .description("upper limit on μ, observed and expected with ±1σ/±2σ bands")
    .argument("<model>", 'model file {"backend": ..., ...arguments} ("-" for standard input)')
    .option("--expected <type>", "expected band: aposteriori (post-fit) or apriori (pre-fit)", expectation, "aposteriori")
    .option("--cl <level>", "confidence level", number("--cl"), 0.95)
    .option("--json", "machine-readable output")
    .action((file: string, options: LimitOptions) => guard(() => runLimit(file, options)));

  program
    .command("backends")
    .description("list the available backends with their metadata")
    .option("--json", "machine-readable output")
    .action((options: { json?: boolean }) => guard(() => runBackends(options)));

  return program;
}

buildProgram().parse(process.argv);
