/**
 * End-to-end tests (in-process) of the commands and options with pyhf's habits on the shipped
 * examples: inspect, patchset inspect|extract|apply|verify, fit, plot pulls, the pyhf option names
 * and `--format pyhf`. Numbers are compared with the library on the same model, or with closed
 * forms where a model has one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PatchSet, Workspace } from "spey";
import { modelFromWorkspaceFiles } from "spey/node";
import { ROOT, temporaryDirectory } from "./helpers.js";
import { spey } from "./in-process.js";

const tmp = temporaryDirectory("pyhf-commands");
afterAll(() => tmp.remove());
const WORKSPACE = "examples/histfactory/BkgOnly.json";
const PATCHSET = "examples/histfactory/patchset.json";
const PATCH = `${PATCHSET}:stop_300`;
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const library = () => modelFromWorkspaceFiles(join(ROOT, WORKSPACE), [join(ROOT, PATCH)], { analysis: WORKSPACE });

describe("spey inspect", () => {
  it("summarises a workspace as pyhf inspect does (table, --json, --format pyhf)", async () => {
    const table = await spey(["inspect", WORKSPACE]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/channel\s+bins/);
    expect(table.stdout).toMatch(/sr2_bkg\s+constrained_by_poisson\s+shapesys/);
    expect(table.stdout).toMatch(/\(\*\) meas\s+mu\s+\(none\)/);
    expect(table.stdout).toContain('background-only: the POI "mu" is not a parameter of the workspace');
    const summary = json((await spey(["inspect", WORKSPACE, "--json"])).stdout);
    const workspace = Workspace.fromJSON(readFileSync(join(ROOT, WORKSPACE), "utf8"));
    expect(summary.channels).toEqual(workspace.channels.map((name) => ({ name, bins: workspace.channelNbins[name] })));
    expect(summary.samples).toEqual(workspace.samples);
    const pyhf = json((await spey(["inspect", WORKSPACE, "--format", "pyhf"])).stdout);
    expect(Object.keys(pyhf).sort()).toEqual([
      "channels",
      "measurements",
      "modifiers",
      "parameters",
      "samples",
      "systematics",
    ]);
    expect(pyhf.channels).toEqual(workspace.channels.map((name) => [name, workspace.channelNbins[name]]));
    expect(pyhf.parameters).toContainEqual(["stat_SR", "constrained_by_normal"]);
    expect(pyhf.measurements).toEqual([["meas", "mu", []]]);
  });

  it("with a patch the POI is a parameter; a model file lists its parameters", async () => {
    const patched = json((await spey(["inspect", WORKSPACE, PATCH, "--json"])).stdout);
    expect(patched.missingPoi).toBeUndefined();
    expect((patched.parameters as { name: string }[]).map((p) => p.name)).toContain("mu");
    const model = json((await spey(["inspect", "examples/cms-8bin.json", "--json"])).stdout);
    expect(model).toMatchObject({ kind: "model", backend: "default.correlated_background", bins: 8, poi: "mu" });
    expect((model.parameters as { name: string }[]).map((p) => p.name)).toEqual([
      "mu",
      ...Array.from({ length: 8 }, (_, i) => `theta_${i}`),
    ]);
  });
});

describe("spey patchset", () => {
  it("inspect lists the patches with their labels and the workspace digest", async () => {
    const out = json((await spey(["patchset", "inspect", PATCHSET, "--json"])).stdout);
    const patchSet = PatchSet.fromFile(join(ROOT, PATCHSET));
    expect(out.patches).toEqual(patchSet.names.map((name) => ({ name, values: patchSet.get(name).values })));
    expect(out.labels).toEqual(patchSet.labels);
    expect((out.digests as { sha256: string }).sha256).toBe(patchSet.digests.sha256);
  });

  it("extract gives the patch (with --with-metadata, its name and the set's digests)", async () => {
    const patchSet = PatchSet.fromFile(join(ROOT, PATCHSET));
    const extracted = await spey(["patchset", "extract", PATCHSET, "--name", "stop_300"]);
    expect(JSON.parse(extracted.stdout)).toEqual(patchSet.get("stop_300").patch);
    const withMetadata = json(
      (await spey(["patchset", "extract", PATCHSET, "--name", "stop_300", "--with-metadata"])).stdout,
    );
    expect(withMetadata.metadata).toMatchObject({ name: "stop_300", digests: patchSet.digests });
    const missing = await spey(["patchset", "extract", PATCHSET, "--name", "stop_999"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no patch named "stop_999"; patches: stop_300, stop_500/);
  });

  it("apply writes the patched workspace: cls on it equals cls with the patch", async () => {
    const output = join(tmp.path, "patched.json");
    const applied = await spey([
      "patchset",
      "apply",
      WORKSPACE,
      PATCHSET,
      "--name",
      "stop_300",
      "--output-file",
      output,
    ]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe("");
    const direct = json((await spey(["cls", WORKSPACE, PATCH, "--json"])).stdout);
    const viaFile = json((await spey(["cls", output, "--json"])).stdout);
    expect(viaFile.cls).toEqual(direct.cls);
  });

  it("verify accepts the workspace the set was made for and refuses another (exit 2)", async () => {
    const ok = await spey(["patchset", "verify", WORKSPACE, PATCHSET]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/matches .*BkgOnly\.json \(sha256 c47b2aed/);
    const output = join(tmp.path, "patched-verify.json");
    await spey(["patchset", "apply", WORKSPACE, PATCHSET, "--name", "stop_300", "--output-file", output]);
    const refused = await spey(["patchset", "verify", output, PATCHSET]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the workspace does not match the patch set/);
  });
});

describe("spey fit", () => {
  it("one Gaussian bin: μ̂ = (n − b)/s and σ(μ̂) = σ/s exactly", async () => {
    const model = JSON.stringify({
      backend: "default.normal",
      signalYields: [5],
      backgroundYields: [10],
      data: [15],
      absoluteUncertainties: [2],
    });
    const out = json((await spey(["fit", "-", "--json"], { stdin: model })).stdout);
    const [mu] = out.parameters as { name: string; value: number; uncertainty: number }[];
    // Newton-converged fit: 1e-9 relative; the Hessian of a Gaussian is exact.
    expect(mu?.value).toBeCloseTo(1, 9);
    expect(mu?.uncertainty).toBeCloseTo(0.4, 9);
    // −ln L at the optimum: ln(σ√(2π)).
    expect(out.nll as number).toBeCloseTo(Math.log(2 * Math.sqrt(2 * Math.PI)), 9);
  });

  it("two correlated Gaussian bins: μ̂ = sᵀΣ⁻¹(n − b)/sᵀΣ⁻¹s, σ² = 1/sᵀΣ⁻¹s", async () => {
    const m = JSON.parse(readFileSync(join(ROOT, "examples/correlated-2bin.json"), "utf8")) as {
      signal_yields: number[];
      background_yields: number[];
      data: number[];
      covariance_matrix: number[][];
    };
    const [[a, b], [, d]] = m.covariance_matrix as [[number, number], [number, number]];
    const det = a * d - b * b;
    const inv = [
      [d / det, -b / det],
      [-b / det, a / det],
    ];
    const s = m.signal_yields;
    const r = m.data.map((n, i) => n - (m.background_yields[i] as number));
    const quad = (x: number[], y: number[]) =>
      x.reduce((t, xi, i) => t + xi * y.reduce((u, yj, j) => u + (inv[i]?.[j] as number) * yj, 0), 0);
    const out = json((await spey(["fit", "examples/correlated-2bin.json", "--json"])).stdout);
    const [mu] = out.parameters as { value: number; uncertainty: number }[];
    expect(mu?.value).toBeCloseTo(quad(s, r) / quad(s, s), 8);
    expect(mu?.uncertainty).toBeCloseTo(1 / Math.sqrt(quad(s, s)), 8);
  });

  it("a workspace: best fit equal to the library's, pulls from the constraints, a valid correlation matrix", async () => {
    const out = json((await spey(["fit", WORKSPACE, PATCH, "--json"])).stdout);
    const parameters = out.parameters as {
      name: string;
      value: number;
      uncertainty: number | null;
      constraint?: { nominal: number; width: number };
      pull?: number;
      pullUncertainty?: number | null;
    }[];
    const model = library();
    const npar = model.config().suggestedInit.length;
    const [best, nll] = model.maximizeLikelihood({ poiIndices: Array.from({ length: npar }, (_, i) => i) });
    parameters.forEach((p, i) => expect(p.value).toBe(best[String(i)]));
    expect(out.nll).toBe(nll);
    const constrained = parameters.filter((p) => p.constraint);
    expect(constrained.map((p) => p.name)).toContain("jes");
    for (const p of constrained) {
      const c = p.constraint as { nominal: number; width: number };
      expect(p.pull).toBeCloseTo((p.value - c.nominal) / c.width, 12);
      if (p.uncertainty !== null) expect(p.pullUncertainty).toBeCloseTo(p.uncertainty / c.width, 12);
    }
    const { names, matrix } = out.correlation as { names: string[]; matrix: number[][] };
    expect(matrix).toHaveLength(names.length);
    matrix.forEach((row, i) => {
      expect(row[i]).toBe(1);
      row.forEach((v, j) => {
        expect(Math.abs(v)).toBeLessThanOrEqual(1);
        expect(v).toBeCloseTo(matrix[j]?.[i] as number, 12);
      });
    });
  });

  it("--format pyhf gives pyhf's mle_parameters (parameter sets) and nll", async () => {
    const out = json((await spey(["fit", WORKSPACE, PATCH, "--format", "pyhf"])).stdout);
    expect(Object.keys(out).sort()).toEqual(["mle_parameters", "nll"]);
    const sets = out.mle_parameters as Record<string, number[]>;
    expect(sets.stat_SR).toHaveLength(2);
    expect(sets.mu).toHaveLength(1);
  });

  it("plot pulls draws the constrained parameters, from a model or from a saved fit", async () => {
    const saved = join(tmp.path, "fit.json");
    await spey(["fit", WORKSPACE, PATCH, "--output-file", saved]);
    const fromFit = await spey(["plot", "pulls", saved]);
    const fromModel = await spey(["plot", "pulls", WORKSPACE, PATCH]);
    expect(fromFit.code).toBe(0);
    expect(fromFit.stdout).toBe(fromModel.stdout);
    for (const name of ["jes", "stat_SR[0]", "sr2_bkg[0]"]) expect(fromFit.stdout).toContain(`>${name}<`);
    const none = await spey(["plot", "pulls", "examples/correlated-2bin.json"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no constrained nuisance parameters/);
  });
});

describe("pyhf's option names and output", () => {
  it("--test-poi is --poi-test; disagreeing values are refused", async () => {
    const a = await spey(["cls", WORKSPACE, PATCH, "--poi-test", "0.5", "--json"]);
    const b = await spey(["cls", WORKSPACE, "-p", PATCH, "--test-poi", "0.5", "--json"]);
    expect(json(b.stdout).cls).toEqual(json(a.stdout).cls);
    const both = await spey(["cls", WORKSPACE, PATCH, "--poi-test", "0.5", "--test-poi", "2"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--poi-test 0\.5 and --test-poi 2 disagree/);
  });

  it("--patch, --test-stat qtilde and --calctype asymptotics name the defaults", async () => {
    const plain = json((await spey(["cls", WORKSPACE, PATCH, "--json"])).stdout);
    const spelled = await spey([
      "cls",
      WORKSPACE,
      "--patch",
      PATCH,
      "--test-stat",
      "qtilde",
      "--calctype",
      "asymptotics",
      "--json",
    ]);
    expect(spelled.code).toBe(0);
    expect(json(spelled.stdout).cls).toEqual(plain.cls);
    const wrong = await spey(["cls", WORKSPACE, PATCH, "--test-stat", "q0"]);
    expect(wrong.code).toBe(2);
  });

  it("--format pyhf gives CLs_obs and CLs_exp, the numbers of --json", async () => {
    const ours = json((await spey(["cls", WORKSPACE, PATCH, "--json"])).stdout);
    const pyhf = json((await spey(["cls", WORKSPACE, PATCH, "--format", "pyhf"])).stdout);
    expect(pyhf).toEqual({
      CLs_exp: (ours.cls as { expected: number[] }).expected,
      CLs_obs: (ours.cls as { observed: number }).observed,
    });
  });

  it("--calctype toybased is the toy calculator; --test-stat q is qμ (μ̂ free)", async () => {
    const toys = ["--ntoys", "200", "--seed", "4", "--json"];
    const calctype = json((await spey(["cls", "examples/single-bin.json", "--calctype", "toybased", ...toys])).stdout);
    const calculator = json((await spey(["cls", "examples/single-bin.json", "--calculator", "toy", ...toys])).stdout);
    expect(calctype.cls).toEqual(calculator.cls);
    const q = json((await spey(["cls", WORKSPACE, PATCH, "--test-stat", "q", "--json"])).stdout);
    const [observed] = library().exclusionConfidenceLevel({ allowNegativeSignal: true }) as number[];
    expect((q.cls as { observed: number }).observed).toBeCloseTo(1 - (observed as number), 12);
  });

  it("--output-file writes the JSON result there; --measurement picks (or names) a measurement", async () => {
    const output = join(tmp.path, "cls.json");
    const written = await spey(["cls", WORKSPACE, PATCH, "--output-file", output]);
    expect(written.stdout).toBe("");
    const ours = json((await spey(["cls", WORKSPACE, PATCH, "--json"])).stdout);
    expect(JSON.parse(readFileSync(output, "utf8")).cls).toEqual(ours.cls);
    const named = json((await spey(["cls", WORKSPACE, PATCH, "--measurement", "meas", "--json"])).stdout);
    expect(named.cls).toEqual(ours.cls);
    const unknown = await spey(["cls", WORKSPACE, PATCH, "--measurement", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no measurement named "nope" in the workspace; available: meas/);
  });

  it("a model file refuses the workspace-only options with a message", async () => {
    const out = await spey(["cls", "examples/single-bin.json", "--measurement", "meas"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/is a model file, not a pyhf workspace: --measurement applies to workspaces only/);
  });
});
