import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidInput, PatchSet, WorkspaceError } from "spey";
import { loadInputs, modelFromDescription, scaleDescription, urlName } from "spey/io";

const file = (path: string) => readFileSync(new URL(`../../../../${path}`, import.meta.url), "utf8");
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/archives/${name}`, import.meta.url)));

describe("PatchSet.fromJSON(text)", () => {
  it("parses a patch set as the constructor does from the parsed object", () => {
    const text = file("examples/histfactory/plane/patchset.json");
    const a = PatchSet.fromJSON(text, "patchset.json");
    expect(a.toJSON()).toEqual(new PatchSet(JSON.parse(text)).toJSON());
    expect(a.labels).toEqual(["m_stop", "m_neutralino"]);
    expect(a.patches).toHaveLength(29);
  });

  it("names the source in errors: invalid JSON, and a schema error with its JSON path", () => {
    expect(() => PatchSet.fromJSON("{", "ps.json")).toThrow(/ps\.json is not valid JSON/);
    const broken = JSON.parse(file("examples/histfactory/patchset.json"));
    delete broken.metadata.labels;
    expect(() => PatchSet.fromJSON(JSON.stringify(broken), "ps.json")).toThrow(/labels[\s\S]*\(in ps\.json\)/);
  });
});

describe("loadInputs(inputs)", () => {
  it("sorts an archive: the workspace and the patch set, paired by the patch set's sha256 digest", async () => {
    const loaded = await loadInputs([{ name: "plane.tar.gz", content: fixture("plane-gnu.tar.gz") }]);
    expect(loaded.workspaces.map((w) => w.path)).toEqual(["plane.tar.gz/likelihoods/plane/BkgOnly.json"]);
    expect(loaded.patchSets.map((p) => p.path)).toEqual(["plane.tar.gz/likelihoods/plane/patchset.json"]);
    expect(loaded.likelihoods).toHaveLength(1);
    expect(loaded.likelihoods[0]?.matchedBy).toBe("digest");
    expect(loaded.ignored.sort()).toEqual([
      "plane.tar.gz/likelihoods/README.txt",
      "plane.tar.gz/likelihoods/a-folder-with-a-rather-long-name-to-exceed-the-ustar-limit/of-one-hundred-characters-in-the-name-field/notes-with-a-long-file-name.json",
    ]);
  });

  it("reads Blobs, text and objects: a model file, a workspace with its patch set", async () => {
    const loaded = await loadInputs([
      { name: "cms-8bin.json", content: new Blob([file("examples/cms-8bin.json")]) },
      { name: "BkgOnly.json", content: file("examples/histfactory/BkgOnly.json") },
      { name: "patchset.json", content: JSON.parse(file("examples/histfactory/patchset.json")) },
    ]);
    expect(loaded.models.map((m) => m.path)).toEqual(["cms-8bin.json"]);
    expect(loaded.models[0]?.description.backend).toBe("default.correlated_background");
    expect(loaded.workspaces).toHaveLength(1);
    expect(loaded.likelihoods[0]?.matchedBy).toBe("digest");
    expect(loaded.likelihoods[0]?.patchSet.patchSet.names).toEqual(["stop_300", "stop_500"]);
  });

  it("says what is wrong with a bad input, naming it", async () => {
    await expect(loadInputs([{ name: "notes.txt", content: "hello" }])).rejects.toThrow(/notes\.txt is not valid JSON/);
    await expect(loadInputs([{ name: "empty.json", content: "  " }])).rejects.toThrow(/empty\.json is empty/);
    await expect(loadInputs([{ name: "other.json", content: '{"a": 1}' }])).rejects.toThrow(
      /other\.json is neither a spey model file/,
    );
    const ws = JSON.parse(file("examples/histfactory/BkgOnly.json"));
    ws.observations[0].data = "many";
    const error = await loadInputs([{ name: "ws.json", content: ws }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toMatch(/^ws\.json: observations\[0\]\.data/);
    await expect(loadInputs([])).rejects.toThrow(InvalidInput);
  });

  it("urlName(url) is the last path segment", () => {
    expect(urlName("https://example.org/a/b/BkgOnly.json?x=1")).toBe("BkgOnly.json");
    expect(urlName("examples/cms-8bin.json")).toBe("cms-8bin.json");
  });
});

describe("modelFromDescription and scaleDescription", () => {
  const cms = JSON.parse(file("examples/cms-8bin.json"));

  it("snake_case and camelCase descriptions give the same model", () => {
    const snake = {
      backend: "default.uncorrelated_background",
      signal_yields: [12, 15],
      background_yields: [50, 48],
      data: [36, 33],
      absolute_uncertainties: [12, 16],
    };
    const a = modelFromDescription(snake).exclusionConfidenceLevel();
    const b = modelFromDescription({
      backend: "default.uncorrelated_background",
      signalYields: [12, 15],
      backgroundYields: [50, 48],
      data: [36, 33],
      absoluteUncertainties: [12, 16],
    }).exclusionConfidenceLevel();
    // The same arguments, hence bit-identical results.
    expect(a).toEqual(b);
  });

  it("scales of 1 leave the description unchanged; luminosity and systematics scale yields and (co)variances", () => {
    expect(scaleDescription(cms, {})).toEqual(cms);
    const s = scaleDescription(cms, { luminosity: 2, systematics: 0.5, signal: 3 });
    expect(s.signalYields).toEqual(cms.signalYields.map((x: number) => x * 6));
    expect(s.backgroundYields).toEqual(cms.backgroundYields.map((x: number) => x * 2));
    expect(s.data).toEqual(cms.data.map((x: number) => x * 2));
    // covariance × r²k² = 4 × 0.25 = 1
    expect(s.covarianceMatrix).toEqual(cms.covarianceMatrix);
    expect(() => scaleDescription(cms, { signal: 0 })).toThrow(/signal scale must be a positive finite number/);
  });

  it("signal × s at μ = 1 is the original model at μ = s (the likelihood depends on μs only)", () => {
    const original = modelFromDescription(cms).exclusionConfidenceLevel({ poiTest: 1.3, expected: "all" });
    const scaled = modelFromDescription(scaleDescription(cms, { signal: 1.3 })).exclusionConfidenceLevel({
      poiTest: 1,
      expected: "all",
    });
    // Both are fits of the same likelihood at the same point; the optimiser converges to ~1e-9.
    for (let i = 0; i < 2; i++) {
      const a = original[i] as number[];
      const b = scaled[i] as number[];
      a.forEach((v, k) => expect(b[k]).toBeCloseTo(v, 7));
    }
  });
});
