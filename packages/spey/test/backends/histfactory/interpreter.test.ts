/**
 * spey-pyhf's WorkspaceInterpreter, ported: the assertions of spey-pyhf's
 * tests/test_helper_functions.py (its `make_workspace` fixture below) and
 * tests/test_workspace_interpreter_integration.py (1 − CLs 0.9474850258730709 and
 * 0.9445701166818461), plus identities: inject then remove a signal gives the original workspace,
 * luminosity × 1 changes nothing, systematics scaled by 0 give the stat-only fit.
 */
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import { WorkspaceInterpreter } from "../../../src/backends/histfactory/interpreter.js";
import type { ModifierSpec, WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { InvalidInput } from "../../../src/core/errors.js";
import { captureLogs } from "../../../src/core/logger.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";

/** spey-pyhf's `make_workspace()`: a 2-bin SR with every modifier type, a CR, a VR and "Misc". */
function makeWorkspace(): WorkspaceSpec {
  return {
    channels: [
      {
        name: "SR1",
        samples: [
          {
            name: "background",
            data: [10, 20],
            modifiers: [
              { name: "lumi", type: "lumi", data: null },
              { name: "norm_b", type: "normsys", data: { hi: 1.1, lo: 0.9 } },
              { name: "shape_b", type: "histosys", data: { hi_data: [11, 22], lo_data: [9, 18] } },
              { name: "stat_b", type: "staterror", data: [1, 2] },
              { name: "shapesys_b", type: "shapesys", data: [0.5, 1] },
            ],
          },
        ],
      },
      { name: "CR1", samples: [{ name: "bg", data: [50], modifiers: [{ name: "lumi", type: "lumi", data: null }] }] },
      { name: "VR1", samples: [{ name: "bg", data: [30], modifiers: [{ name: "lumi", type: "lumi", data: null }] }] },
      { name: "Misc", samples: [{ name: "bg", data: [5], modifiers: [] }] },
    ],
    observations: [
      { name: "SR1", data: [10, 20] },
      { name: "CR1", data: [50] },
      { name: "VR1", data: [30] },
      { name: "Misc", data: [5] },
    ],
    measurements: [
      {
        name: "Measurement",
        config: {
          poi: "mu",
          parameters: [{ name: "lumi", auxdata: [1], bounds: [[0.9, 1.1]], inits: [1], sigmas: [0.025] }],
        },
      },
    ],
    version: "1.0.0",
  };
}

const modsOf = (wi: WorkspaceInterpreter, channel = 0, sample = 0) =>
  Object.fromEntries(
    (wi.get("channels")[channel]?.samples[sample]?.modifiers ?? []).map((m) => [m.name, m] as [string, ModifierSpec]),
  );

describe("WorkspaceInterpreter: bookkeeping (spey-pyhf test_helper_functions.py)", () => {
  it("channels, bin map, POI names, lumi parameter and member access", () => {
    const ws = makeWorkspace();
    const wi = new WorkspaceInterpreter(ws);
    expect(wi.channels).toEqual(["SR1", "CR1", "VR1", "Misc"]);
    expect(wi.binMap).toEqual({ SR1: 2, CR1: 1, VR1: 1, Misc: 1 });
    expect(wi.poiName).toEqual([["Measurement", "mu"]]);
    expect(wi.hasLumiParameter).toBe(true);
    expect(wi.get("channels")).toBe(ws.channels);
  });

  it("guesses region types from channel names", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    expect(["SR1", "CR1", "VR1", "Misc"].map((c) => wi.guessChannelType(c))).toEqual(["SR", "CR", "VR", "__unknown__"]);
    expect(() => wi.guessChannelType("DoesNotExist")).toThrow(InvalidInput);
    expect([...wi.guessCRVR()].sort()).toEqual(["CR1", "VR1"]);
    expect(wi.getChannels([0, "VR1"])).toEqual(["SR1", "VR1"]);
    expect(wi.getChannels([1, 3])).toEqual(["CR1", "Misc"]);
    expect(wi.getChannels([])).toEqual([]);
  });

  it("injectSignal: default modifiers, completion of given ones, bad channels and sizes", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal("SR1", [1, 2]);
    expect(wi.signalPerChannel).toEqual({ SR1: [1, 2] });
    expect(wi.signalModifiers.SR1).toEqual([
      { data: null, name: "lumi", type: "lumi" },
      { data: null, name: "mu", type: "normfactor" },
    ]);
    const custom: ModifierSpec[] = [{ name: "extra", type: "normsys", data: { hi: 1.05, lo: 0.95 } }];
    wi.injectSignal("SR1", [1, 2], custom);
    expect((wi.signalModifiers.SR1 ?? []).map((m) => m.type)).toEqual(["normsys", "lumi", "normfactor"]);
    expect(custom.length).toBe(1); // the caller's array is not modified
    wi.injectSignal(
      "SR1",
      [1, 2],
      [
        { data: null, name: "lumi", type: "lumi" },
        { data: null, name: "mu", type: "normfactor" },
      ],
    );
    expect(wi.signalModifiers.SR1?.length).toBe(2);
    expect(() => wi.injectSignal("DoesNotExist", [1])).toThrow(/not a channel/);
    expect(() => wi.injectSignal("SR1", [1])).toThrow(/has 2 bins; got 1/);
  });

  it("makePatch: adds first, removals in descending index order; no signal is an error", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    expect(() => wi.makePatch()).toThrow(/add signal yields/);
    wi.injectSignal("SR1", [1, 2]);
    wi.removeChannel("CR1");
    wi.removeChannel("VR1");
    const patch = wi.makePatch() as unknown as { op: string; path: string; value?: { data: number[] } }[];
    const adds = patch.filter((p) => p.op === "add");
    expect(adds.length).toBe(1);
    expect(adds[0]?.path).toBe("/channels/0/samples/0");
    expect(adds[0]?.value?.data).toEqual([1, 2]);
    expect(patch.filter((p) => p.op === "remove").map((p) => Number(p.path.split("/").at(-1)))).toEqual([2, 1]);
  });

  it("removeChannel is idempotent and refuses unknown channels; resetSignal clears everything", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    expect(() => wi.removeChannel("NotAChannel")).toThrow(InvalidInput);
    expect(wi.removeList).toEqual([]);
    wi.removeChannel("CR1");
    wi.removeChannel("CR1");
    expect(wi.removeList).toEqual(["CR1"]);
    wi.injectSignal("SR1", [1, 2]);
    wi.resetSignal();
    expect(wi.signalPerChannel).toEqual({});
    expect(wi.removeList).toEqual([]);
  });

  it("patchToMap / addPatch round trip", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal("SR1", [1, 2]);
    wi.removeChannel("CR1");
    const patch = wi.makePatch();
    const wi2 = new WorkspaceInterpreter(makeWorkspace());
    wi2.addPatch(patch);
    expect(wi2.signalPerChannel).toEqual({ SR1: [1, 2] });
    expect(wi2.removeList).toEqual(["CR1"]);
    expect(wi.patchToMap(patch).removed).toEqual(["CR1"]);
  });

  it("expected background yields skip removed channels", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal("SR1", [1, 2]);
    wi.injectSignal("CR1", [0.5]);
    wi.injectSignal("VR1", [0.3]);
    wi.injectSignal("Misc", [0.1]);
    wi.removeChannel("Misc");
    expect(wi.expectedBackgroundYields).toEqual({ SR1: [10, 20], CR1: [50], VR1: [30] });
  });
});

describe("WorkspaceInterpreter.extrapolateLuminosity", () => {
  it("refuses factors ≤ 0 and returns a new interpreter over a new workspace", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    expect(() => wi.extrapolateLuminosity(0)).toThrow(InvalidInput);
    expect(() => wi.extrapolateLuminosity(-1)).toThrow(InvalidInput);
    const next = wi.extrapolateLuminosity(2);
    expect(next).not.toBe(wi);
    expect(next.backgroundOnlyModel).not.toBe(wi.backgroundOnlyModel);
  });

  it("scales yields, observations and absolute uncertainties, not relative ones", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    const two = wi.extrapolateLuminosity(2);
    expect(wi.get("channels")[0]?.samples[0]?.data).toEqual([10, 20]);
    expect(two.get("channels")[0]?.samples[0]?.data).toEqual([20, 40]);
    expect(two.get("observations")[0]?.data).toEqual([20, 40]);
    expect(two.get("channels")[1]?.samples[0]?.data).toEqual([100]);
    const three = modsOf(wi.extrapolateLuminosity(3));
    expect(three.shape_b?.data).toEqual({ hi_data: [33, 66], lo_data: [27, 54] });
    expect(three.stat_b?.data).toEqual([3, 6]);
    expect(three.shapesys_b?.data).toEqual([1.5, 3]);
    expect(three.norm_b?.data).toEqual({ hi: 1.1, lo: 0.9 });
    expect(three.lumi?.data).toBeNull();
  });

  it("scales the injected signal and its modifiers, keeps the removal list (copied)", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal(
      "SR1",
      [2, 4],
      [{ name: "sig_shape", type: "histosys", data: { hi_data: [2.2, 4.4], lo_data: [1.8, 3.6] } }],
    );
    wi.removeChannel("CR1");
    const next = wi.extrapolateLuminosity(2.5);
    expect(wi.signalPerChannel.SR1).toEqual([2, 4]);
    expect(next.signalPerChannel.SR1).toEqual([5, 10]);
    const sig = Object.fromEntries((next.signalModifiers.SR1 ?? []).map((m) => [m.name, m]));
    expect(sig.sig_shape?.data).toEqual({ hi_data: [5.5, 11], lo_data: [4.5, 9] });
    expect(next.removeList).toEqual(["CR1"]);
    const add = (next.makePatch() as unknown as { op: string; value?: { data: number[] } }[]).find(
      (p) => p.op === "add",
    );
    expect(add?.value?.data).toEqual([5, 10]);
  });

  it("does not alias the original workspace and keeps relative uncertainties", () => {
    const ws = makeWorkspace();
    const next = new WorkspaceInterpreter(ws).extrapolateLuminosity(4);
    (next.get("channels")[0]?.samples[0]?.data as number[])[0] = 999;
    expect(ws.channels[0]?.samples[0]?.data[0]).toBe(10);
    const stat = modsOf(next).stat_b?.data as number[];
    const yields = next.get("channels")[0]?.samples[0]?.data as number[];
    // 4·1/(4·10) and 4·2/(4·20): exact in binary floating point.
    expect(stat.map((s, i) => s / ((i === 0 ? 40 : 80) as number))).toEqual([1 / 10, 2 / 20]);
    expect(yields[1]).toBe(80);
  });

  it("identity: luminosity × 1 changes nothing", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal("SR1", [2, 4]);
    wi.removeChannel("Misc");
    const same = wi.extrapolateLuminosity(1);
    expect(same.backgroundOnlyModel).toEqual(makeWorkspace());
    expect(same.makePatch()).toEqual(wi.makePatch());
  });
});

describe("WorkspaceInterpreter.scaleSystematics", () => {
  it("refuses negative fractions and statistical modifier types", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    expect(() => wi.scaleSystematics(-0.5)).toThrow(/non-negative/);
    for (const types of [["staterror"], ["shapesys"], ["normsys", "shapesys"]] as const) {
      expect(() => wi.scaleSystematics(0.5, { modifierTypes: types })).toThrow(/statistical/);
    }
  });

  it("rescales normsys around 1 and histosys around the nominal", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    const half = modsOf(wi.scaleSystematics(0.5));
    // 1 + 0.1·0.5 and 1 − 0.1·0.5 (rounded as spey-pyhf computes them).
    expect(half.norm_b?.data).toEqual({ hi: 1 + (1.1 - 1) * 0.5, lo: 1 + (0.9 - 1) * 0.5 });
    expect(half.shape_b?.data).toEqual({ hi_data: [10.5, 21], lo_data: [9.5, 19] });
    const zero = modsOf(wi.scaleSystematics(0));
    expect(zero.norm_b?.data).toEqual({ hi: 1, lo: 1 });
    expect(zero.shape_b?.data).toEqual({ hi_data: [10, 20], lo_data: [10, 20] });
    expect(zero.stat_b?.data).toEqual([1, 2]);
    expect(zero.shapesys_b?.data).toEqual([0.5, 1]);
    expect(modsOf(wi.scaleSystematics(1))).toEqual(modsOf(wi));
  });

  it("restricts to modifier types, channels, samples and modifier names", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    const onlyNormsys = modsOf(wi.scaleSystematics(0, { modifierTypes: ["normsys"] }));
    expect(onlyNormsys.norm_b?.data).toEqual({ hi: 1, lo: 1 });
    expect(onlyNormsys.shape_b?.data).toEqual({ hi_data: [11, 22], lo_data: [9, 18] });
    expect(modsOf(wi.scaleSystematics(0, { channels: ["CR1"] }))).toEqual(modsOf(wi));
    expect(modsOf(wi.scaleSystematics(0, { samples: ["signal"] }))).toEqual(modsOf(wi));
    const byName = modsOf(wi.scaleSystematics(0, { modifiers: ["shape_b"] }));
    expect(byName.norm_b?.data).toEqual({ hi: 1.1, lo: 0.9 });
    expect(byName.shape_b?.data).toEqual({ hi_data: [10, 20], lo_data: [10, 20] });
    expect(() => wi.scaleSystematics(0, { channels: ["nope"] })).toThrow(/not a channel/);
  });

  it("rescales the signal's systematics, not its statistical ones; yields and observations unchanged", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal(
      "SR1",
      [2, 4],
      [
        { name: "sig_norm", type: "normsys", data: { hi: 1.2, lo: 0.8 } },
        { name: "sig_stat", type: "staterror", data: [0.5, 0.5] },
      ],
    );
    wi.removeChannel("CR1");
    const next = wi.scaleSystematics(0.5);
    const sig = Object.fromEntries((next.signalModifiers.SR1 ?? []).map((m) => [m.name, m]));
    expect(sig.sig_norm?.data).toEqual({ hi: 1 + (1.2 - 1) * 0.5, lo: 1 + (0.8 - 1) * 0.5 });
    expect(sig.sig_stat?.data).toEqual([0.5, 0.5]);
    expect(next.signalPerChannel.SR1).toEqual([2, 4]);
    expect(next.removeList).toEqual(["CR1"]);
    expect(next.get("channels")[0]?.samples[0]?.data).toEqual([10, 20]);
    expect(next.get("observations")[0]?.data).toEqual([10, 20]);
  });

  it("composes with extrapolateLuminosity in either order", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    const a = modsOf(wi.extrapolateLuminosity(2).scaleSystematics(0.5));
    expect(a.shape_b?.data).toEqual({ hi_data: [21, 42], lo_data: [19, 38] });
    expect(a.stat_b?.data).toEqual([2, 4]);
    const b = modsOf(wi.scaleSystematics(0.5).extrapolateLuminosity(2));
    expect(b.shape_b?.data).toEqual({ hi_data: [21, 42], lo_data: [19, 38] });
  });
});

describe("WorkspaceInterpreter.summary", () => {
  it("lists the workspace, channels with region tags and modifier counts", () => {
    const out = new WorkspaceInterpreter(makeWorkspace()).summary();
    for (const line of [
      "pyhf Workspace Summary",
      "version       : 1.0.0",
      "channels      : 4",
      "measurements  : 1",
      "Measurement : Measurement",
      "POI         : mu",
      "[SR] SR1",
      "[CR] CR1",
      "[VR] VR1",
      "Misc",
    ]) {
      expect(out).toContain(line);
    }
    expect(out).not.toContain("Injected signal");
    expect(out).not.toContain("Channels to remove");
    const sr = out.split("\n").find((l) => l.includes("SR1")) as string;
    for (const t of ["lumi", "normsys", "histosys", "staterror", "shapesys"]) expect(sr).toContain(`${t}:1`);
  });

  it("shows injected signal and removals, samples and modifiers, filters and truncation", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal("SR1", [2, 4]);
    wi.removeChannel("Misc");
    const out = wi.summary();
    expect(out.split("\n").find((l) => l.includes("SR1"))).toContain("signal: total=6");
    expect(out.split("\n").find((l) => l.includes(" Misc"))).toContain("[REMOVED]");
    expect(out).toContain("Injected signal: 1 channel(s)");
    expect(out).toContain("SR1: 2 bins, total=6");
    expect(out).toContain("Channels to remove (1):");
    const detailed = new WorkspaceInterpreter(makeWorkspace()).summary({ showModifiers: true });
    expect(detailed).toContain("sample: background");
    expect(detailed).toContain("modifier: norm_b (normsys)");
    const filtered = new WorkspaceInterpreter(makeWorkspace()).summary({ measurementName: "NotARealMeasurement" });
    expect(filtered).toContain("pyhf Workspace Summary");
    expect(filtered).not.toContain("Measurement : Measurement");
    const truncated = new WorkspaceInterpreter(makeWorkspace()).summary({ maxChannels: 2 });
    expect(truncated).toContain("CR1");
    expect(truncated).not.toContain("VR1");
    expect(truncated).toContain("2 more not shown");
    const empty = makeWorkspace();
    empty.measurements = [];
    // A workspace without measurements is invalid for the schema, so summarise the object directly.
    expect(() => new WorkspaceInterpreter(empty)).toThrow(InvalidInput);
  });
});

/** spey-pyhf's integration fixture: one channel, shapesys background, no lumi parameter. */
function backgroundOnly(): WorkspaceSpec {
  return {
    channels: [
      {
        name: "singlechannel",
        samples: [
          {
            name: "background",
            data: [50, 52],
            modifiers: [{ name: "uncorr_bkguncrt", type: "shapesys", data: [3, 7] }],
          },
        ],
      },
    ],
    observations: [{ name: "singlechannel", data: [51, 48] }],
    measurements: [{ name: "Measurement", config: { poi: "mu", parameters: [] } }],
    version: "1.0.0",
  };
}

describe("WorkspaceInterpreter with the pyhf backend (spey-pyhf test_workspace_interpreter_integration.py)", () => {
  // spey-pyhf's assertions use abs = 1e-6; our fits converge to ~1e-10 in μ̂, so 1e-6 holds.
  const TOL = 1e-6;

  it("reproduces the hand-built patch: 1 − CLs = 0.9474850258730709", () => {
    const wi = new WorkspaceInterpreter(backgroundOnly());
    wi.injectSignal("singlechannel", [12, 11]);
    expect(wi.hasLumiParameter).toBe(false);
    const patch = wi.makePatch();
    expect(patch).toEqual([
      {
        op: "add",
        path: "/channels/0/samples/0",
        value: { name: "Signal", data: [12, 11], modifiers: [{ data: null, name: "mu", type: "normfactor" }] },
      },
    ]);
    const model = new StatisticalModel(
      new PyhfBackend({ backgroundOnlyModel: wi.backgroundOnlyModel, signalPatch: patch }),
    );
    expect(Math.abs((model.exclusionConfidenceLevel()[0] as number) - 0.9474850258730709)).toBeLessThan(TOL);
  });

  it("keeps a custom histosys on the signal and adds mu: 1 − CLs = 0.9445701166818461", () => {
    const wi = new WorkspaceInterpreter(backgroundOnly());
    wi.injectSignal(
      "singlechannel",
      [12, 11],
      [{ name: "Wolfgang", type: "histosys", data: { hi_data: [13, 12], lo_data: [11, 10] } }],
    );
    expect(new Set((wi.signalModifiers.singlechannel ?? []).map((m) => m.type))).toEqual(
      new Set(["histosys", "normfactor"]),
    );
    const model = new StatisticalModel(
      new PyhfBackend({ backgroundOnlyModel: wi.backgroundOnlyModel, signalPatch: wi.makePatch() }),
    );
    expect(Math.abs((model.exclusionConfidenceLevel()[0] as number) - 0.9445701166818461)).toBeLessThan(TOL);
  });

  it("identity: injecting a signal and removing it again gives the original workspace", () => {
    const original = makeWorkspace();
    const wi = new WorkspaceInterpreter(original);
    wi.injectSignal("SR1", [1, 2]);
    wi.injectSignal("CR1", [0.5]);
    const withSignal = new Workspace(original).patch(wi.makePatch());
    expect(withSignal.samples).toContain("Signal");
    // The inverse patch: remove the added samples.
    const removed = withSignal.patch([
      { op: "remove", path: "/channels/0/samples/0" },
      { op: "remove", path: "/channels/1/samples/0" },
    ]);
    expect(removed.toJSON()).toEqual(original);
  });

  it("identity: systematics scaled by 0 give the fit without those systematics", () => {
    const ws = makeWorkspace();
    const wi = new WorkspaceInterpreter(ws);
    wi.injectSignal("SR1", [3, 5]);
    const scaled = wi.scaleSystematics(0);
    const statOnly = new Workspace(ws).prune({ modifiers: ["norm_b", "shape_b"] }).toJSON();
    const a = new StatisticalModel(
      new PyhfBackend({ backgroundOnlyModel: scaled.backgroundOnlyModel, signalPatch: scaled.makePatch() }),
    );
    const b = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: statOnly, signalPatch: wi.makePatch() }));
    // The rescaled normsys/histosys parameters still exist but do not act (their constraint only
    // adds a constant): same μ̂ and CLs to the fits' precision (1e-7).
    const [muA] = a.maximizeLikelihood();
    const [muB] = b.maximizeLikelihood();
    expect(Math.abs(muA - muB)).toBeLessThan(1e-7);
    const [ca, ea] = a.exclusionConfidenceLevel({ expected: "all" });
    const [cb, eb] = b.exclusionConfidenceLevel({ expected: "all" });
    expect(Math.abs((ca[0] as number) - (cb[0] as number))).toBeLessThan(1e-7);
    ea.forEach((v, i) => expect(Math.abs(v - (eb[i] as number))).toBeLessThan(1e-7));
  });

  it("warns about kept channels without signal", () => {
    const wi = new WorkspaceInterpreter(makeWorkspace());
    wi.injectSignal("SR1", [1, 2]);
    const { records } = captureLogs(() => wi.makePatch());
    expect(records.some((r) => r.level === "warning" && r.message.includes('"CR1" has no signal'))).toBe(true);
  });
});
