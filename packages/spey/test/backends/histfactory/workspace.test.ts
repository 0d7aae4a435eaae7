/**
 * Workspaces (measurement selection, data, patches, prune, rename, combine, sorted), digests,
 * patch sets and the CLI helper `modelFromWorkspaceFiles`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  candidateDigests,
  digestOfJsonText,
  pythonFloatRepr,
  pythonJsonDumpsText,
  SHA256_PRIMES,
  sha256Hex,
} from "../../../src/backends/histfactory/digest.js";
import { InvalidWorkspaceOperation, PatchSetVerificationError } from "../../../src/backends/histfactory/errors.js";
import { modelFromWorkspaceFiles, workspaceFromFiles } from "../../../src/io/histfactory-files.js";
import { PatchSet } from "../../../src/backends/histfactory/patchset.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { captureLogs } from "../../../src/core/logger.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../../src/histfactory.js";

const fixture = (name: string) => new URL(`../../fixtures/histfactory/${name}`, import.meta.url).pathname;
const WORKSPACE = fixture("simplify-workspace.json");
const PATCHSET = fixture("simplify-patchset.json");
const ALL = fixture("all-modifiers.json");
/** pyhf's digest of simplify-workspace.json (Python's hashlib over json.dumps(sort_keys=True, …)). */
const WORKSPACE_SHA256 = "c47b2aeda9a6dda91e3f14baa6eb618f3e484546cf20eccbea7002fb374dc0b9";

describe("digests (pyhf.utils.digest)", () => {
  it("SHA-256 test vectors (FIPS 180-4)", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("a".repeat(1000))).toBe("41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  });

  it("SHA-256 constants from the roots of the primes: the FIPS 180-4 values, far from any rounding boundary", () => {
    // FIPS 180-4 §4.2.2: K[0], K[1], K[63]; §5.3.3: H0[0], H0[7] (the test vectors above check the rest)
    const frac = (x: number) => (x - Math.floor(x)) * 2 ** 32;
    expect(SHA256_PRIMES.length).toBe(64);
    expect(SHA256_PRIMES.slice(0, 5)).toEqual([2, 3, 5, 7, 11]);
    expect(SHA256_PRIMES[63]).toBe(311);
    expect(Math.floor(frac(Math.cbrt(2)))).toBe(0x428a2f98);
    expect(Math.floor(frac(Math.cbrt(3)))).toBe(0x71374491);
    expect(Math.floor(frac(Math.cbrt(311)))).toBe(0xc67178f2);
    expect(Math.floor(frac(Math.sqrt(2)))).toBe(0x6a09e667);
    expect(Math.floor(frac(Math.sqrt(19)))).toBe(0x5be0cd19);
    // Each scaled fraction is ≥ 0.005 from an integer, while Math.cbrt/Math.sqrt near 7 are good to
    // ~1 ulp (8.9e-16, i.e. 4e-6 after scaling by 2^32): an engine's last-ulp rounding cannot flip a bit.
    const distance = (x: number) => Math.min(x - Math.floor(x), Math.ceil(x) - x);
    for (const p of SHA256_PRIMES) expect(distance(frac(Math.cbrt(p)))).toBeGreaterThan(0.02);
    for (const p of SHA256_PRIMES.slice(0, 8)) expect(distance(frac(Math.sqrt(p)))).toBeGreaterThan(0.005);
  });

  it("Python's float repr", () => {
    // Python 3.11: [repr(v) for v in values].
    const values = [
      1.0,
      0.1,
      1e-5,
      0.0001,
      1e16,
      1e15,
      123456789012345680,
      1.5e-7,
      -0.0,
      2.5,
      100.0,
      1e22,
      5e-324,
      0.1 + 0.2,
      12345.678,
    ];
    expect(values.map(pythonFloatRepr)).toEqual([
      "1.0",
      "0.1",
      "1e-05",
      "0.0001",
      "1e+16",
      "1000000000000000.0",
      "1.2345678901234568e+17",
      "1.5e-07",
      "-0.0",
      "2.5",
      "100.0",
      "1e+22",
      "5e-324",
      "0.30000000000000004",
      "12345.678",
    ]);
  });

  it("Python's canonical json.dumps of a JSON text, and its digest", () => {
    // Python: json.dumps(json.loads(text), sort_keys=True, ensure_ascii=True, separators=(",", ":")).
    const text =
      '{"b": [1, 2.0, 3.50, 1e-5, 10E3], "a": {"z": "café \\n \\"q\\"", "y": null, "x": true}, "version": "1.0.0", "n": -0, "big": 12345678901234567890}';
    expect(pythonJsonDumpsText(text)).toBe(
      '{"a":{"x":true,"y":null,"z":"caf\\u00e9 \\n \\"q\\""},"b":[1,2.0,3.5,1e-05,10000.0],"big":12345678901234567890,"n":0,"version":"1.0.0"}',
    );
    expect(digestOfJsonText(text)).toBe("60c17651501184216d6622db2df6dd138c6ec7ccf098934526de36c2bf1b99d3");
  });

  it("workspace digests: exact from the file, float-style from a parsed value", () => {
    expect(Workspace.fromFile(WORKSPACE).digest()).toBe(WORKSPACE_SHA256);
    const parsed = new Workspace(Workspace.fromFile(WORKSPACE).toJSON());
    expect(parsed.digest()).toBe(WORKSPACE_SHA256);
    // Python: the digest of all-modifiers.json.
    expect(candidateDigests(Workspace.fromFile(ALL).toJSON())).toContain(
      "1a0be30ad59af195e122a2631f212b76a8884c2483cccd668e2e0e7c60c977c4",
    );
  });
});

describe("workspace operations", () => {
  const ws = Workspace.fromFile(WORKSPACE);

  it("summaries: channels, bins, samples, modifiers, measurements, observations", () => {
    expect(ws.channels).toEqual(["CR_ttbar", "CR_wjets", "SR_1", "SR_2"]);
    expect(ws.channelNbins).toEqual({ CR_ttbar: 2, CR_wjets: 1, SR_1: 2, SR_2: 1 });
    expect(ws.samples).toEqual(["ttbar", "wjets"]);
    expect(ws.modifiers.map(([n, t]) => `${n}/${t}`)).toEqual([
      "jes/normsys",
      "mu_ttbar/normfactor",
      "mu_wjets/normfactor",
      "sr2_bkg/shapesys",
      "stat_CR_ttbar/staterror",
      "stat_SR/staterror",
      "ttbar_shape/histosys",
      "wjets_xsec/normsys",
    ]);
    expect(ws.measurementNames).toEqual(["meas"]);
    expect(ws.observations.SR_1).toEqual([16, 8]);
  });

  it("measurement selection (pyhf's get_measurement)", () => {
    const all = Workspace.fromFile(ALL);
    expect(all.getMeasurement({ measurementName: "ttbar_norm" }).measurement.config.poi).toBe("mu_ttbar");
    expect(all.getMeasurement({ measurementIndex: 1 }).path).toEqual(["measurements", 1]);
    expect(all.getMeasurement({ poiName: "mu_ttbar" }).measurement).toEqual({
      name: "NormalMeasurement",
      config: { poi: "mu_ttbar", parameters: [] },
    });
    const { records } = captureLogs(() => all.getMeasurement());
    expect(records.map((r) => r.message)).toEqual([
      'The workspace defines 2 measurements (main, ttbar_norm); using the first, "main".',
    ]);
    expect(() => all.getMeasurement({ measurementIndex: 2 })).toThrow(/out of range: the workspace has 2/);
  });

  it("data in model channel order (pyhf's Workspace.data)", () => {
    const patched = ws.patch(new PatchSet(readJson(PATCHSET)).get("stop_300").patch);
    const model = patched.model();
    expect(model.channels.map((c) => c.name)).toEqual(["CR_ttbar", "CR_wjets", "SR_1", "SR_2"]);
    expect(patched.data(model, { includeAuxdata: false })).toEqual([210, 145, 172, 16, 8, 5]);
    expect(patched.data(model).length).toBe(6 + model.nAux);
  });

  it("prune channels (with their observations), samples, modifiers (and their parameter configurations), types", () => {
    const pruned = ws.prune({ channels: ["SR_2"], modifiers: ["jes"], modifierTypes: ["staterror"] });
    expect(pruned.channels).toEqual(["CR_ttbar", "CR_wjets", "SR_1"]);
    expect(Object.keys(pruned.observations)).toEqual(["CR_ttbar", "CR_wjets", "SR_1"]);
    expect(pruned.modifiers.map(([n]) => n)).toEqual(["mu_ttbar", "mu_wjets", "ttbar_shape", "wjets_xsec"]);
    expect(ws.prune({ samples: ["wjets"] }).samples).toEqual(["ttbar"]);
    expect(ws.channels.length).toBe(4); // unchanged
    expect(() => ws.prune({ channels: ["SR_3"] })).toThrow(
      new InvalidWorkspaceOperation("SR_3 is not one of the channels in this workspace."),
    );
    expect(() => ws.prune({ modifierTypes: ["lumi"] })).toThrow(
      /lumi is not one of the modifier types in this workspace/,
    );
    expect(() => ws.prune({ samples: ["ttbar", "wjets"] })).toThrow(
      /channels\[0\]\.samples: expected at least 1 entry/,
    );
  });

  it("rename channels (and observations), samples, modifiers (and the POI), measurements", () => {
    const all = Workspace.fromFile(ALL);
    const renamed = all.rename({
      channels: { SR: "signal_region" },
      samples: { fakes: "misid" },
      modifiers: { mu: "mu_sig", mu_ttbar: "k_ttbar" },
      measurements: { main: "nominal" },
    });
    expect(renamed.channels).toEqual(["signal_region", "CR"]);
    expect(Object.keys(renamed.observations)).toEqual(["signal_region", "CR"]);
    expect(renamed.samples).toContain("misid");
    expect(renamed.measurementNames).toEqual(["nominal", "ttbar_norm"]);
    const { measurement } = renamed.getMeasurement({ measurementName: "nominal" });
    expect(measurement.config.poi).toBe("mu_sig");
    expect(measurement.config.parameters[1]?.name).toBe("k_ttbar");
    // The renamed workspace gives the same likelihood.
    const a = all.model({ measurementName: "main" });
    const b = renamed.model({ measurementName: "nominal" });
    const init = Float64Array.from(a.suggestedInit);
    expect(b.evaluator(b.splitData(b.observed)).logpdf(init)).toBe(a.evaluator(a.splitData(a.observed)).logpdf(init));
    expect(() => all.rename({ samples: { nope: "x" } })).toThrow("nope is not one of the samples in this workspace.");
    // pyhf's schema fixes the name of the lumi modifier, so renaming it gives an invalid workspace.
    expect(() => all.rename({ modifiers: { lumi: "luminosity" } })).toThrow(
      /modifiers\[\d+\]\.name: a lumi modifier must be named "lumi"/,
    );
  });

  it("combine: join none / outer / left outer / right outer, measurement merging, channel merging", () => {
    const left = ws.prune({ channels: ["SR_1", "SR_2"] });
    const right = ws.prune({ channels: ["CR_ttbar", "CR_wjets"] });
    expect(() => Workspace.combine(left, right)).toThrow(
      /Workspaces cannot have any measurements in common with the same name: meas/,
    );
    const renamedRight = right.rename({ measurements: { meas: "meas2" } });
    const none = Workspace.combine(left, renamedRight);
    expect(none.channels).toEqual(["CR_ttbar", "CR_wjets", "SR_1", "SR_2"]);
    expect(none.measurementNames).toEqual(["meas", "meas2"]);
    // outer: identical items kept once, same-named measurements merged (same POI).
    const outer = Workspace.combine(left, right, { join: "outer" });
    expect(outer.channels).toEqual(["CR_ttbar", "CR_wjets", "SR_1", "SR_2"]);
    expect(outer.measurementNames).toEqual(["meas"]);
    expect(() => Workspace.combine(ws, ws.rename({ measurements: { meas: "other" } }))).toThrow(
      /cannot have any channels in common with the same name: CR_ttbar, CR_wjets, SR_1, SR_2/,
    );
    expect(Workspace.combine(ws, ws, { join: "outer" }).channels).toEqual(ws.channels);
    // Channels with the same name but different content: outer refuses, left/right outer pick a side.
    const modified = ws.prune({ samples: ["wjets"] });
    expect(() => Workspace.combine(ws, modified, { join: "outer" })).toThrow(
      /channels in common with incompatible structure/,
    );
    const { result: leftOuter } = captureLogs(() => Workspace.combine(ws, modified, { join: "left outer" }));
    expect(leftOuter.samples).toEqual(["ttbar", "wjets"]);
    const { result: rightOuter } = captureLogs(() => Workspace.combine(ws, modified, { join: "right outer" }));
    expect(rightOuter.samples).toEqual(["ttbar"]);
    // mergeChannels: same-named channels pool their samples.
    const extra = ws.prune({ samples: ["wjets"] }).rename({ samples: { ttbar: "single_top" } });
    const merged = Workspace.combine(ws, extra, { join: "outer", mergeChannels: true });
    expect(merged.toJSON().channels[0]?.samples.map((s) => s.name)).toEqual(["ttbar", "wjets", "single_top"]);
    expect(() => Workspace.combine(ws, extra, { mergeChannels: true })).toThrow(/mergeChannels needs an outer join/);
    expect(() => Workspace.combine(ws, extra, { join: "inner" as never })).toThrow(/join must be one of/);
  });

  it("sorted", () => {
    const all = Workspace.sorted(Workspace.fromFile(ALL)).toJSON();
    expect(all.channels.map((c) => c.name)).toEqual(["CR", "SR"]);
    expect(all.channels[1]?.samples.map((s) => s.name)).toEqual(["fakes", "signal", "ttbar"]);
    expect(all.channels[1]?.samples[2]?.modifiers.map((m) => m.name)).toEqual([
      "jer",
      "jes",
      "lumi",
      "mu_ttbar",
      "stat_SR",
    ]);
    expect(all.observations.map((o) => o.name)).toEqual(["CR", "SR"]);
  });
});

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

describe("patch sets", () => {
  const patchSet = PatchSet.fromFile(PATCHSET);
  const ws = Workspace.fromFile(WORKSPACE);

  it("metadata and lookup by name or values", () => {
    expect(patchSet.labels).toEqual(["m_stop"]);
    expect(patchSet.names).toEqual(["stop_300", "stop_500"]);
    expect(patchSet.get([500]).name).toBe("stop_500");
    expect(() => patchSet.get("stop_700")).toThrow(
      'the patch set has no patch named "stop_700"; patches: stop_300, stop_500.',
    );
    expect(() => patchSet.get([700])).toThrow(/with values \[700\] \(labels m_stop\)/);
    expect(new PatchSet(patchSet.toJSON()).names).toEqual(patchSet.names);
  });

  it("verifies the workspace digest before applying", () => {
    const patched = patchSet.apply(ws, "stop_300");
    expect(patched.channels).toEqual(ws.channels);
    expect(patched.samples).toEqual(["signal", "ttbar", "wjets"]);
    const other = ws.prune({ channels: ["SR_2"] });
    expect(() => patchSet.apply(other, "stop_300")).toThrow(PatchSetVerificationError);
    expect(() => patchSet.apply(other, "stop_300")).toThrow(/the patch set was made for c47b2aed/);
    // Without verification the patch still fails here: it adds to channel 3, which is gone.
    expect(() => patchSet.apply(other, "stop_300", { verify: false })).toThrow(
      /patch "stop_300"\[1\] \(add \/channels\/3\/samples\/2\)/,
    );
  });
});

describe("modelFromWorkspaceFiles (CLI helper)", () => {
  const dir = mkdtempSync(join(tmpdir(), "spey-histfactory-"));
  const patchFile = join(dir, "signal.json");
  writeFileSync(patchFile, JSON.stringify(PatchSet.fromFile(PATCHSET).get("stop_300").patch));

  it("workspace + patch set reference `file:name` ≡ workspace + JSON Patch file ≡ the pyhf backend", () => {
    const a = modelFromWorkspaceFiles(WORKSPACE, [`${PATCHSET}:stop_300`], { analysis: "test" });
    const b = modelFromWorkspaceFiles(WORKSPACE, [patchFile]);
    const c = modelFromWorkspaceFiles(WORKSPACE, [PATCHSET], { patchName: "stop_300" });
    const cls = (m: typeof a) => m.exclusionConfidenceLevel()[0] as number;
    expect(cls(a)).toBe(cls(b));
    expect(cls(a)).toBe(cls(c));
    expect(a.analysis).toBe("test");
    expect(b.analysis).toBe(WORKSPACE);
    expect(a.backendType).toBe("pyhf");
  });

  it("errors name the file and the fix", () => {
    expect(() => modelFromWorkspaceFiles(WORKSPACE, [PATCHSET])).toThrow(
      `${PATCHSET} is a patch set with 2 patches; choose one as ${PATCHSET}:NAME (e.g. ${PATCHSET}:stop_300).`,
    );
    expect(() => modelFromWorkspaceFiles(join(dir, "missing.json"))).toThrow(/cannot read .*missing\.json/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"channels": [}');
    expect(() => modelFromWorkspaceFiles(bad)).toThrow(/bad\.json is not valid JSON/);
    const badPatch = join(dir, "bad-patch.json");
    writeFileSync(badPatch, JSON.stringify([{ op: "add", path: "/channels/9/samples/0", value: {} }]));
    expect(() => workspaceFromFiles(WORKSPACE, [badPatch])).toThrow(
      /bad-patch\.json\[0\] \(add \/channels\/9\/samples\/0\): index 9 is out of range/,
    );
    const invalid = join(dir, "invalid.json");
    writeFileSync(invalid, JSON.stringify({ channels: [], observations: [], measurements: [], version: "1.0.0" }));
    expect(() => modelFromWorkspaceFiles(invalid)).toThrow(
      /channels: expected at least 1 entry; got none\. \(in .*invalid\.json\)/,
    );
  });
});
