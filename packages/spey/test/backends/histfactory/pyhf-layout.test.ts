/**
 * Data layout of the `pyhf` backend as pyhf lays it out (issue #12): Asimov data and
 * `expectedData` are the main bins (channels by name) followed by the auxiliary data in
 * `model.config.auxdata_order`, which pyhf 0.7.6 (the version spey-pyhf pins) builds in
 * `_create_parameters_from_spec` (src/pyhf/pdf.py) by walking the parameter sets in `par_order`
 * and keeping the constrained ones — not sorted by name (only pyhf < 0.6 sorted them).
 *
 * Checked for every workspace of the reference data (shared/reference, copied to
 * test/fixtures: the pyhf validation workspaces and the spey-pyhf cases of spey-reference.json),
 * for this project's all-modifier fixture, and for a workspace whose parameter order and name
 * order differ. The expected `auxdata_order` lists below are pyhf's rule applied by hand: sets
 * grouped by modifier type in `histfactory_set` order (histosys, lumi, normfactor, normsys,
 * shapefactor, shapesys, staterror), within a type by first occurrence walking channels, samples
 * and modifiers by name.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import type { WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { WorkspaceError } from "../../../src/backends/histfactory/errors.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../../src/histfactory.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8"));

interface Case {
  readonly id: string;
  readonly workspace: WorkspaceSpec;
  readonly patch?: unknown[];
  /** pyhf's `auxdata_order` (by hand, see the header). */
  readonly auxdataOrder: readonly string[];
}

const VALIDATION_ORDER: Record<string, string[]> = {
  "1bin_shapesys_mu1": ["uncorr_bkguncrt"],
  "1bin_shapesys_q0_mu1": ["uncorr_bkguncrt"],
  "1bin_shapesys_q0_mu1_toys": ["uncorr_bkguncrt"],
  "1bin_lumi_mu1": ["lumi"],
  "1bin_normsys_mu1": ["bkg_norm"],
  "2bin_histosys_mu1": ["bkg_norm"],
  // shapesys sets met walking channels by name: control before signal.
  "2bin_2channel_mu1": ["uncorr_bkguncrt_control", "uncorr_bkguncrt_signal"],
  "2bin_2channel_couplednorm_mu1": ["coupled_normsys"],
  "2bin_2channel_coupledhistosys_mu1": ["coupled_histosys"],
  "2bin_2channel_coupledshapefactor_mu1": [],
  shapesys_nuisparfilter: ["syst"],
};

const REFERENCE_ORDER: Record<string, string[]> = {
  "pyhf-shapesys-01": ["uncorr_bkguncrt"],
  "pyhf-control-region-staterror-lumi-01": ["lumi", "shape_unc", "staterror_CR", "staterror_SR"],
  "pyhf-1bin-normsys-01": ["bkg_norm"],
  "pyhf-low-count-01": ["unc"],
};

/** An ATLAS-like workspace: lumi (type lumi) precedes alpha_JES (normsys) in pyhf's order, not by name. */
const atlasLike: WorkspaceSpec = {
  channels: [
    {
      name: "SR",
      samples: [
        {
          name: "signal",
          data: [4, 2],
          modifiers: [
            { name: "mu_SIG", type: "normfactor", data: null },
            { name: "lumi", type: "lumi", data: null },
          ],
        },
        {
          name: "ttbar",
          data: [20, 10],
          modifiers: [
            { name: "lumi", type: "lumi", data: null },
            { name: "alpha_JES", type: "normsys", data: { hi: 1.1, lo: 0.92 } },
            { name: "staterror_SR", type: "staterror", data: [1.5, 1] },
            { name: "alpha_shape", type: "histosys", data: { hi_data: [21, 11], lo_data: [19, 9.5] } },
          ],
        },
      ],
    },
  ],
  observations: [{ name: "SR", data: [27, 11] }],
  measurements: [
    {
      name: "meas",
      config: {
        poi: "mu_SIG",
        parameters: [{ name: "lumi", auxdata: [1], sigmas: [0.02], bounds: [[0.9, 1.1]], inits: [1] }],
      },
    },
  ],
  version: "1.0.0",
};

const cases: Case[] = [
  ...(fixture("histfactory/pyhf-validation.json").cases as { id: string; workspace: WorkspaceSpec }[]).map((c) => ({
    id: c.id,
    workspace: c.workspace,
    auxdataOrder: VALIDATION_ORDER[c.id] as string[],
  })),
  ...(
    fixture("spey-reference.json").cases as {
      id: string;
      backend: string;
      kwargs: { background_only_model: WorkspaceSpec; signal_patch: unknown[] };
    }[]
  )
    .filter((c) => c.backend === "pyhf")
    .map((c) => ({
      id: c.id,
      workspace: c.kwargs.background_only_model,
      patch: c.kwargs.signal_patch,
      auxdataOrder: REFERENCE_ORDER[c.id] as string[],
    })),
  {
    id: "all-modifiers",
    workspace: fixture("histfactory/all-modifiers.json"),
    auxdataOrder: ["jer", "lumi", "jes", "sig_theory", "wjets_shape", "stat_CR", "stat_SR"],
  },
  // Name order would be alpha_JES, alpha_shape, lumi, staterror_SR.
  { id: "atlas-like", workspace: atlasLike, auxdataOrder: ["alpha_shape", "lumi", "alpha_JES", "staterror_SR"] },
];

describe("the pyhf backend's data layout is pyhf's (main bins, then auxdata_order)", () => {
  it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const backend = new PyhfBackend({ backgroundOnlyModel: c.workspace, signalPatch: (c.patch ?? []) as never });
    const model = backend.model;
    expect(model.auxiliaryOrder).toEqual(c.auxdataOrder);
    const statistical = new StatisticalModel(backend);
    for (const testStatistic of ["qtilde", "q0"]) {
      const asimov = statistical.generateAsimovData({ testStatistic });
      // The conditional fit the Asimov data are generated at (μ = 0, or 1 for q0).
      const [, pars] = statistical.likelihood({ poiTest: testStatistic === "q0" ? 1 : 0, returnParameters: true });
      expect(asimov.length).toBe(model.nMain + model.nAux);
      const main = model.expectedMain(pars);
      // The same deterministic fit: equal to rounding.
      main.forEach((v, b) => expect(Math.abs((asimov[b] as number) - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, v)));
      let j = model.nMain;
      for (const name of c.auxdataOrder) {
        const set = model.parameterSet(name);
        if (!set) throw new Error(`no parameter set ${name}`);
        for (let i = 0; i < set.n; i++, j++) {
          const x = pars[set.offset + i] as number;
          const value = set.constraint === "poisson" ? x * (set.factors[i] as number) : x;
          // Gaussian constraints: a = θ; Poisson constraints: a = γτ (pyhf's expected_auxdata).
          expect(Math.abs((asimov[j] as number) - value)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(value)));
        }
      }
      expect(j).toBe(asimov.length);
    }
    // expectedData without the auxiliary data: the main bins only.
    const init = model.suggestedInit;
    expect(statistical.expectedData(init, { includeAuxiliary: false })).toEqual(Array.from(model.expectedMain(init)));
  });

  it("reproduces spey-pyhf's Asimov data of the reference cases (pyhf's own layout)", () => {
    const reference = fixture("spey-reference.json").cases as {
      id: string;
      backend: string;
      kwargs: { background_only_model: WorkspaceSpec; signal_patch: unknown[] };
      results: { op: string; args: { test_statistic: string; expected: string }; value: number[] }[];
    }[];
    for (const c of reference.filter((x) => x.backend === "pyhf")) {
      const model = new StatisticalModel(
        new PyhfBackend({
          backgroundOnlyModel: c.kwargs.background_only_model,
          signalPatch: c.kwargs.signal_patch as never,
        }),
      );
      for (const r of c.results.filter((x) => x.op === "generate_asimov_data")) {
        const ours = model.generateAsimovData({
          testStatistic: r.args.test_statistic,
          expected: r.args.expected as "observed",
        });
        expect(ours.length).toBe(r.value.length);
        // The reference's SLSQP fits (tol 1e-10) fix the nuisance parameters to ~1e-6 absolute
        // (largest difference seen: 1.3e-6 on a normsys α): 3e-6 · max(1, |value|).
        r.value.forEach((v, i) =>
          expect(Math.abs((ours[i] as number) - v)).toBeLessThanOrEqual(3e-6 * Math.max(1, Math.abs(v))),
        );
      }
    }
  });
});

describe("a measurement that fixes the POI (pyhf: InvalidModel)", () => {
  it("is refused with the JSON path of the fixed flag", () => {
    const ws = JSON.parse(JSON.stringify(atlasLike)) as WorkspaceSpec;
    const measurement = ws.measurements[0];
    if (!measurement) throw new Error("fixture has no measurement");
    (measurement.config.parameters as unknown[]).push({ name: "mu_SIG", fixed: true });
    const build = () => new PyhfBackend({ backgroundOnlyModel: ws });
    expect(build).toThrow(WorkspaceError);
    expect(build).toThrow(
      /measurements\[0\]\.config\.parameters\[1\]\.fixed: the parameter of interest "mu_SIG" .* is set as fixed/,
    );
  });
});
