/**
 * What pyhf's published JSON schemas (1.0.0: defs, workspace, patchset, jsonpatch) accept and reject,
 * case by case from pyhf's own test suite (tests/test_schema.py, tests/test_patchset.py and their
 * data files, rewritten here as workspaces and patch sets), plus the extras real HEPData patch sets
 * carry (`metadata.analysis_id`, members in each patch's metadata, upper-case digests). Errors keep
 * naming the JSON path of the fault.
 */
import { describe, expect, it } from "vitest";
import { hepdataAnalysis } from "../../../../../bench/hepdata-analysis.js";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import { JsonPatchError, PatchSetVerificationError, WorkspaceError } from "../../../src/backends/histfactory/errors.js";
import { cloneJson, validateJsonPatch } from "../../../src/backends/histfactory/json-patch.js";
import { PatchSet } from "../../../src/backends/histfactory/patchset.js";
import { validatePatchSet, validateWorkspace } from "../../../src/backends/histfactory/schema.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { InvalidInput } from "../../../src/core/errors.js";
import { Random } from "../../../src/math/random.js";

// biome-ignore lint/suspicious/noExplicitAny: the cases reach into arbitrary places of JSON documents
type Json = any;

/** pyhf's tests/test_schema/patchset_good.json in the current layout (version, references). */
const goodPatchSet = (): Json => ({
  metadata: {
    references: { hepdata: "ins1234567" },
    analysis_id: "SUSY-2018-23",
    description: "signal patchset for the SUSY Multi-b-jet analysis",
    digests: { md5: "098f6bcd4621d373cade4e832627b4f6" },
    labels: ["mass_stop", "mass_neutralino"],
  },
  patches: [
    {
      metadata: { name: "Gtt_2100_5000_800", values: [2100, 800] },
      patch: [{ op: "add", path: "/foo/0/bar", value: { foo: [1.0] } }],
    },
  ],
  version: "1.0.0",
});

function edited(change: (p: Json) => void): Json {
  const p = goodPatchSet();
  change(p);
  return p;
}

function pathOfError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInput);
    if (error instanceof WorkspaceError) return error.jsonPath;
    if (error instanceof JsonPatchError) return `op ${error.operationIndex}`;
    throw error;
  }
  throw new Error("expected the document to be rejected");
}

describe("patch sets (pyhf tests/test_schema.py::test_patchset, test_patchset_fail)", () => {
  it("accepts patchset_good.json, extra metadata members included", () => {
    expect(() => validatePatchSet(goodPatchSet())).not.toThrow();
  });

  // [pyhf data file, the change that turns patchset_good.json into it, the JSON path we report]
  const failing: [string, (p: Json) => void, string][] = [
    [
      "patchset_bad_label_pattern",
      (p) => (p.metadata.labels = ["mass_stop-", "^mass_neutralino"]),
      "metadata.labels[0]",
    ],
    ["patchset_bad_no_patch_name", (p) => delete p.patches[0].metadata.name, "patches[0].metadata"],
    ["patchset_bad_empty_patches", (p) => (p.patches = []), "patches"],
    ["patchset_bad_no_patch_values", (p) => delete p.patches[0].metadata.values, "patches[0].metadata"],
    ["patchset_bad_no_digests", (p) => delete p.metadata.digests, "metadata"],
    ["patchset_bad_no_description", (p) => delete p.metadata.description, "metadata"],
    ["patchset_bad_no_labels", (p) => delete p.metadata.labels, "metadata"],
    [
      "patchset_bad_invalid_digests",
      (p) => (p.metadata.digests = { nonexistent: "098f6bcd4621d373cade4e832627b4f6" }),
      "metadata.digests",
    ],
    [
      "patchset_bad_hepdata_reference",
      (p) => (p.metadata.references = { hepdata: "wrongid12374" }),
      "metadata.references.hepdata",
    ],
    ["patchset_bad_no_version", (p) => delete p.version, ""],
  ];
  for (const [file, change, path] of failing) {
    it(`rejects ${file}.json at "${path}"`, () => {
      expect(pathOfError(() => validatePatchSet(edited(change)))).toBe(path);
    });
  }

  // pyhf's PatchSet class checks (tests/test_patchset.py::test_patchset_invalid_spec, test_patchset_bad).
  const invalidForPatchSet: [string, (p: Json) => void, string][] = [
    [
      "patchset_bad_wrong_valuetype",
      (p) => (p.patches[0].metadata.values = [{ mass: 2100 }, 800]),
      "patches[0].metadata.values[0]",
    ],
    [
      "patchset_bad_duplicate_patch_name",
      (p) => p.patches.push({ metadata: { name: "Gtt_2100_5000_800", values: [2100, 900] }, patch: [] }),
      "patches[1].metadata.name",
    ],
    [
      "patchset_bad_duplicate_patch_values",
      (p) => p.patches.push({ metadata: { name: "Gtt_other", values: [2100, 800] }, patch: [] }),
      "patches[1].metadata.values",
    ],
    [
      "patchset_bad_wrong_values_multiplicity",
      (p) => (p.patches[0].metadata.values = [2100, 800, 1]),
      "patches[0].metadata.values",
    ],
  ];
  for (const [file, change, path] of invalidForPatchSet) {
    it(`PatchSet rejects ${file}.json at "${path}"`, () => {
      expect(pathOfError(() => new PatchSet(edited(change)))).toBe(path);
    });
  }

  it("allows what the schema allows: upper-case sha256, extra patch metadata, both digests, string values", () => {
    const ok = edited((p) => {
      p.metadata.digests = { sha256: "AB".repeat(32), md5: "098f6bcd4621d373cade4e832627b4f6" };
      p.patches[0].metadata.cross_section_pb = 0.0123;
      p.patches[0].metadata.values = ["Gtt", 800];
    });
    expect(() => validatePatchSet(ok)).not.toThrow();
  });

  it("rejects what the schema rejects beyond pyhf's files", () => {
    // md5 digests are lower-case only in pyhf's pattern; sha256 must have 64 digits.
    expect(
      pathOfError(() =>
        validatePatchSet(edited((p) => (p.metadata.digests = { md5: "098F6BCD4621D373CADE4E832627B4F6" }))),
      ),
    ).toBe("metadata.digests.md5");
    expect(pathOfError(() => validatePatchSet(edited((p) => (p.metadata.digests = { sha256: "ab".repeat(31) }))))).toBe(
      "metadata.digests.sha256",
    );
    // references: only "hepdata", and at least one member (minProperties 1).
    expect(pathOfError(() => validatePatchSet(edited((p) => (p.metadata.references = {}))))).toBe(
      "metadata.references",
    );
    expect(pathOfError(() => validatePatchSet(edited((p) => (p.metadata.references.arxiv = "2101.00001"))))).toBe(
      "metadata.references",
    );
    // patch names follow the label pattern; the patch set and each patch reject unknown top-level members.
    expect(pathOfError(() => validatePatchSet(edited((p) => (p.patches[0].metadata.name = "Gtt 2100"))))).toBe(
      "patches[0].metadata.name",
    );
    expect(pathOfError(() => validatePatchSet(edited((p) => (p.extra = 1))))).toBe("");
    expect(pathOfError(() => validatePatchSet(edited((p) => (p.patches[0].note = "x"))))).toBe("patches[0]");
    // version strings: only the specification version pyhf 0.7 defines.
    for (const version of ["1.1.0", "1.0", 1]) {
      const error = (() => {
        try {
          validatePatchSet(edited((p) => (p.version = version)));
        } catch (e) {
          return e as WorkspaceError;
        }
        throw new Error("accepted");
      })();
      expect(error.jsonPath).toBe("version");
      expect(error.message).toMatch(/expected "1\.0\.0"/);
    }
  });

  it("keeps the JSON-path messages", () => {
    expect(() => validatePatchSet(edited((p) => (p.metadata.references = { hepdata: "wrongid12374" })))).toThrow(
      'metadata.references.hepdata: expected an INSPIRE record id "ins" followed by 7 digits (e.g. "ins1234567"); got the string "wrongid12374".',
    );
    expect(() => validatePatchSet(edited((p) => (p.metadata.labels = ["bad label"])))).toThrow(
      'metadata.labels[0]: a label may contain only letters, digits and "_"; got the string "bad label".',
    );
  });
});

describe("JSON Patches (pyhf tests/test_schema.py::test_jsonpatch, test_jsonpatch_fail)", () => {
  const good: [string, unknown][] = [
    ["add", { op: "add", path: "/foo/0/bar", value: { foo: [1.0] } }],
    ["replace", { op: "replace", path: "/foo/0/bar", value: { foo: [1.0] } }],
    ["test", { op: "test", path: "/foo/0/bar", value: { foo: [1.0] } }],
    ["remove", { op: "remove", path: "/foo/0/bar" }],
    ["move", { op: "move", path: "/foo/0/bar", from: "/foo/0/baz" }],
    ["copy", { op: "copy", path: "/foo/0/bar", from: "/foo/0/baz" }],
  ];
  for (const [id, op] of good) {
    it(`accepts ${id}`, () => expect(validateJsonPatch([op])).toEqual([op]));
  }
  const bad: [string, unknown][] = [
    ["noop", { path: "/foo/0/bar" }],
    ["add_from_novalue", { op: "add", path: "/foo/0/bar", from: { foo: [1.0] } }],
    ["add_novalue", { op: "add", path: "/foo/0/bar" }],
    ["add_nopath", { op: "add", value: { foo: [1.0] } }],
    ["remove_nopath", { op: "remove" }],
    ["move_nofrom", { op: "move", path: "/foo/0/bar" }],
    ["move_nopath", { op: "move", from: "/foo/0/baz" }],
  ];
  for (const [id, op] of bad) {
    it(`rejects ${id}`, () => expect(pathOfError(() => validateJsonPatch([op]))).toBe("op 0"));
  }
});

describe("workspaces (pyhf tests/test_schema.py model cases, as workspaces)", () => {
  /** pyhf's two-sample model of test_one_sample_missing_modifiers, as a workspace. */
  const goodWorkspace = (): Json => ({
    channels: [
      {
        name: "channel",
        samples: [
          { name: "sample", data: [10.0], modifiers: [] },
          { name: "another_sample", data: [5.0], modifiers: [{ name: "mypoi", type: "normfactor", data: null }] },
        ],
      },
    ],
    observations: [{ name: "channel", data: [12] }],
    measurements: [{ name: "meas", config: { poi: "mypoi", parameters: [] } }],
    version: "1.0.0",
  });
  const ws = (change: (w: Json) => void): Json => {
    const w = goodWorkspace();
    change(w);
    return w;
  };

  it("accepts test_one_sample_missing_modifiers, test_parameters_definition/_fixed/_all_props", () => {
    expect(() => validateWorkspace(goodWorkspace())).not.toThrow();
    for (const parameter of [
      { name: "mypoi" },
      { name: "mypoi", inits: [1], fixed: true },
      { name: "mypoi", inits: [1], bounds: [[0, 1]] },
    ]) {
      expect(() => validateWorkspace(ws((w) => w.measurements[0].config.parameters.push(parameter)))).not.toThrow();
    }
  });

  const failing: [string, (w: Json) => void, string][] = [
    ["test_no_channels", (w) => (w.channels = []), "channels"],
    ["test_no_samples", (w) => (w.channels[0].samples = []), "channels[0].samples"],
    ["test_sample_missing_data", (w) => (w.channels[0].samples[0].data = []), "channels[0].samples[0].data"],
    ["test_sample_missing_name", (w) => delete w.channels[0].samples[0].name, "channels[0].samples[0]"],
    [
      "test_add_unknown_modifier",
      (w) => w.channels[0].samples[0].modifiers.push({ name: "a_name", type: "this_should_not_exist", data: [1] }),
      "channels[0].samples[0].modifiers[0].type",
    ],
    [
      "test_empty_staterror",
      (w) => w.channels[0].samples[0].modifiers.push({ name: "staterror_channel", type: "staterror", data: [] }),
      "channels[0].samples[0].modifiers[0].data",
    ],
    [
      "test_empty_shapesys",
      (w) => w.channels[0].samples[0].modifiers.push({ name: "sample_norm", type: "shapesys", data: [] }),
      "channels[0].samples[0].modifiers[0].data",
    ],
    [
      "test_empty_histosys",
      (w) =>
        w.channels[0].samples[0].modifiers.push({
          name: "modifier",
          type: "histosys",
          data: { lo_data: [], hi_data: [] },
        }),
      "channels[0].samples[0].modifiers[0].data.hi_data",
    ],
    ["test_additional_properties", (w) => (w.fake_additional_property = 2), ""],
    [
      "test_parameters_incorrect_format",
      (w) => (w.measurements[0].config.parameters = { a: "fake", object: 2 }),
      "measurements[0].config.parameters",
    ],
    [
      "test_histosys_additional_properties",
      (w) =>
        w.channels[0].samples[0].modifiers.push({
          name: "histosys",
          type: "histosys",
          data: { hi_data: [1.0], lo_data: [0.5], foo: 2.0 },
        }),
      "channels[0].samples[0].modifiers[0].data",
    ],
    [
      "test_normsys_additional_properties",
      (w) =>
        w.channels[0].samples[0].modifiers.push({
          name: "normsys",
          type: "normsys",
          data: { hi: 1.0, lo: 0.5, foo: 2.0 },
        }),
      "channels[0].samples[0].modifiers[0].data",
    ],
    [
      'a lumi modifier not named lumi (defs.json: name const "lumi")',
      (w) => w.channels[0].samples[0].modifiers.push({ name: "luminosity", type: "lumi", data: null }),
      "channels[0].samples[0].modifiers[0].name",
    ],
    ["a workspace version other than 1.0.0", (w) => (w.version = "1.0.1"), "version"],
  ];
  for (const [what, change, path] of failing) {
    it(`rejects ${what} at "${path}"`, () => {
      expect(pathOfError(() => validateWorkspace(ws(change)))).toBe(path);
    });
  }

  // test_parameters_bad_parameter: wrong member types and members pyhf does not know.
  const badParameters: [string, unknown, string][] = [
    ["inits", { name: "mypoi", inits: ["a"] }, "measurements[0].config.parameters[0].inits[0]"],
    ["bounds", { name: "mypoi", bounds: [0, 1] }, "measurements[0].config.parameters[0].bounds[0]"],
    ["auxdata", { name: "mypoi", auxdata: ["a"] }, "measurements[0].config.parameters[0].auxdata[0]"],
    ["factors", { name: "mypoi", factors: ["a"] }, "measurements[0].config.parameters[0].factors[0]"],
    ["paramset_type", { name: "mypoi", paramset_type: "fake_paramset_type" }, "measurements[0].config.parameters[0]"],
    ["n_parameters", { name: "mypoi", n_parameters: 5 }, "measurements[0].config.parameters[0]"],
    ["op_code", { name: "mypoi", op_code: "fake_op_code" }, "measurements[0].config.parameters[0]"],
  ];
  for (const [id, parameter, path] of badParameters) {
    it(`rejects the bad parameter configuration ${id}`, () => {
      expect(pathOfError(() => validateWorkspace(ws((w) => w.measurements[0].config.parameters.push(parameter))))).toBe(
        path,
      );
    });
  }

  it("test_parameters_duplicated and test_parameters_normfactor_bad_attribute are model errors", () => {
    const duplicated = ws((w) => w.measurements[0].config.parameters.push({ name: "mypoi" }, { name: "mypoi" }));
    expect(pathOfError(() => validateWorkspace(duplicated))).toBe("measurements[0].config.parameters[1]");
    const factors = ws((w) => w.measurements[0].config.parameters.push({ name: "mypoi", factors: [0.0] }));
    expect(() => validateWorkspace(factors)).not.toThrow(); // schema-valid, as in pyhf
    expect(pathOfError(() => new PyhfBackend({ backgroundOnlyModel: factors, signalPatch: [] }))).toBe(
      "measurements[0].config.parameters[0].factors",
    );
  });

  it("test_sample_missing_all_modifiers: no parameter at all is a model error, not a schema error", () => {
    const noModifiers = ws((w) => {
      w.channels[0].samples = [{ name: "sample", data: [10.0], modifiers: [] }];
    });
    expect(() => validateWorkspace(noModifiers)).not.toThrow();
    expect(() => new PyhfBackend({ backgroundOnlyModel: noModifiers, signalPatch: [] })).toThrow(InvalidInput);
  });
});

describe("a HEPData-style analysis (synthetic)", () => {
  const digestOf = (w: unknown) => new Workspace(w).possibleDigests()[0] as string;
  const { bkgOnly, patchset } = hepdataAnalysis(new Random(7), {
    systematics: 12,
    masses: [300, 500],
    lspMasses: [0, 100],
    digest: digestOf,
    upperCaseDigest: true,
  });

  it("reads the patch set with analysis_id, upper-case digest and per-patch extras", () => {
    const set = new PatchSet(patchset);
    expect(set.analysisId).toBe("SYNTH-2024-01");
    expect(set.digests.sha256).toMatch(/^[0-9A-F]{64}$/);
    expect(set.names).toEqual(["C1N2_WZ_300_0", "C1N2_WZ_300_100", "C1N2_WZ_500_0", "C1N2_WZ_500_100"]);
    expect(set.get([500, 100]).metadata).toHaveProperty("xsec_pb");
    // Round trip: the extras survive toJSON.
    expect(set.toJSON()).toEqual(patchset);
  });

  it("verifies the upper-case digest against the workspace and applies a patch", () => {
    const set = new PatchSet(patchset);
    const workspace = new Workspace(bkgOnly);
    const patched = set.apply(workspace, "C1N2_WZ_300_0");
    // The patch adds a "signal" sample to each of the three signal regions.
    const signals = patched.toJSON().channels.filter((c) => c.samples.some((s) => s.name === "signal"));
    expect(signals.map((c) => c.name)).toEqual(["SR_A", "SR_B", "SR_C"]);
    const model = new PyhfBackend({ backgroundOnlyModel: patched, signalPatch: [] });
    expect(model.model.poiName).toBe("mu_SIG");
    // Another workspace fails verification whatever the case of the recorded digest.
    const other = workspace.patch([{ op: "replace", path: "/observations/0/data/0", value: 1 }]);
    expect(() => set.apply(other, "C1N2_WZ_300_0")).toThrow(PatchSetVerificationError);
  });

  it("rejects a patch set whose patch metadata lacks values, naming the path", () => {
    const broken = cloneJson(patchset) as Json;
    delete broken.patches[2].metadata.values;
    expect(() => new PatchSet(broken)).toThrow(/^patches\[2\]\.metadata: missing required member "values"/);
  });
});
