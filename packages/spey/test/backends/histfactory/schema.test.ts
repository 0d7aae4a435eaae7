/**
 * Validation of workspaces, measurements and model specifications: every error is a typed
 * `WorkspaceError` (an `InvalidInput`) whose message starts with the JSON path of the fault.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import { WorkspaceError } from "../../../src/backends/histfactory/errors.js";
import { cloneJson } from "../../../src/backends/histfactory/json-patch.js";
import { validatePatchSet, validateWorkspace } from "../../../src/backends/histfactory/schema.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { InvalidInput } from "../../../src/core/errors.js";

const base = JSON.parse(
  readFileSync(new URL("../../fixtures/histfactory/all-modifiers.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

/** A copy of the fixture with one change. */
// biome-ignore lint/suspicious/noExplicitAny: the edits reach into arbitrary places of the JSON document
type Json = any;

function edited(change: (ws: Json) => void): unknown {
  const ws = cloneJson(base);
  change(ws);
  return ws;
}

function errorOf(fn: () => unknown): WorkspaceError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkspaceError);
    expect(error).toBeInstanceOf(InvalidInput);
    return error as WorkspaceError;
  }
  throw new Error("expected an error");
}

describe("workspace schema", () => {
  it("accepts the fixture", () => {
    expect(validateWorkspace(base)).toBe(base);
  });

  const cases: [string, (ws: Json) => void, string][] = [
    [
      "normsys data",
      (ws) => {
        ws.channels[0].samples[1].modifiers[2].data = [1.1, 0.9];
      },
      "channels[0].samples[1].modifiers[2].data: expected {hi, lo} (two numbers); got an array of length 2.",
    ],
    [
      "normsys member",
      (ws) => {
        ws.channels[0].samples[1].modifiers[2].data = { hi: 1.1 };
      },
      'channels[0].samples[1].modifiers[2].data: missing required member "lo"; expected {hi, lo} (two numbers).',
    ],
    [
      "histosys data",
      (ws) => {
        ws.channels[0].samples[1].modifiers[3].data = { hi: [1] };
      },
      'channels[0].samples[1].modifiers[3].data: missing required member "hi_data"; expected {hi_data, lo_data} (two arrays of numbers).',
    ],
    [
      "a non-numeric yield",
      (ws) => {
        ws.channels[1].samples[0].data[1] = "80";
      },
      'channels[1].samples[0].data[1]: expected a finite number; got the string "80".',
    ],
    [
      "an unknown modifier type",
      (ws) => {
        ws.channels[0].samples[0].modifiers[0].type = "normfactr";
      },
      'channels[0].samples[0].modifiers[0].type: unknown modifier type "normfactr"; expected one of histosys, lumi, normfactor, normsys, shapefactor, shapesys, staterror.',
    ],
    [
      "data on a normfactor",
      (ws) => {
        ws.channels[0].samples[0].modifiers[0].data = 1;
      },
      "channels[0].samples[0].modifiers[0].data: expected null for a normfactor modifier; got number 1.",
    ],
    [
      "an unexpected member",
      (ws) => {
        ws.channels[0].samples[0].weight = 2;
      },
      'channels[0].samples[0]: unexpected member "weight"; allowed members are "name", "data", "modifiers".',
    ],
    [
      "the version",
      (ws) => (ws.version = "1.1.0"),
      'version: unsupported specification version the string "1.1.0"; expected "1.0.0" (the version pyhf 0.7 writes).',
    ],
    ["no channels", (ws) => (ws.channels = []), "channels: expected at least 1 entry; got none."],
    [
      "a duplicate channel",
      (ws) => {
        ws.channels[1].name = "SR";
      },
      'channels[1].name: duplicate channel name "SR" (also channels[0]).',
    ],
    [
      "a sample with the wrong number of bins",
      (ws) => {
        ws.channels[0].samples[2].data = [1, 2];
      },
      'channels[0].samples[2].data: sample "fakes" has 2 bins but channel "SR" has 3 (the length of its first sample).',
    ],
    [
      "a staterror of the wrong length",
      (ws) => {
        ws.channels[0].samples[2].modifiers[1].data = [1, 2];
      },
      'channels[0].samples[2].modifiers[1].data: has 2 entries but sample "fakes" has 3 bins.',
    ],
    [
      "a negative uncertainty",
      (ws) => {
        ws.channels[1].samples[1].modifiers[1].data = [4, -1];
      },
      "channels[1].samples[1].modifiers[1].data[1]: an uncertainty must be ≥ 0; got -1.",
    ],
    [
      "a modifier listed twice",
      (ws) => {
        ws.channels[0].samples[0].modifiers.push({ name: "mu", type: "normfactor", data: null });
      },
      'channels[0].samples[0].modifiers[3]: the normfactor modifier "mu" is listed twice on sample "signal" (also modifiers[0]).',
    ],
    [
      "bounds",
      (ws) => {
        ws.measurements[0].config.parameters[1].bounds = [[5, 0]];
      },
      "measurements[0].config.parameters[1].bounds[0]: lower bound 5 exceeds upper bound 0.",
    ],
    [
      "a duplicate parameter configuration",
      (ws) => {
        ws.measurements[0].config.parameters.push({ name: "lumi", inits: [1] });
      },
      'measurements[0].config.parameters[2]: multiple parameter configurations for "lumi" (also parameters[0]).',
    ],
    [
      "a measurement without config",
      (ws) => {
        delete ws.measurements[1].config;
      },
      'measurements[1]: missing required member "config"; expected a measurement {name, config: {poi, parameters}}.',
    ],
  ];
  for (const [what, change, message] of cases) {
    it(`names the path of ${what}`, () => {
      const error = errorOf(() => validateWorkspace(edited(change)));
      expect(error.message).toBe(message);
    });
  }

  it("patch sets: labels and values, unique names, valid patches", () => {
    const patchset = (patches: unknown[]) => ({
      metadata: {
        description: "d",
        digests: { sha256: "0".repeat(64) },
        labels: ["m1", "m2"],
        references: { hepdata: "ins1234567" },
      },
      patches,
      version: "1.0.0",
    });
    expect(() => validatePatchSet(patchset([{ metadata: { name: "a", values: [1] }, patch: [] }]))).toThrow(
      'patches[0].metadata.values: patch "a" has 1 values but the patch set has 2 labels (m1, m2).',
    );
    expect(() =>
      validatePatchSet(
        patchset([
          { metadata: { name: "a", values: [1, 2] }, patch: [] },
          { metadata: { name: "a", values: [1, 3] }, patch: [] },
        ]),
      ),
    ).toThrow('patches[1].metadata.name: duplicate patch name "a" (also patches[0]).');
    expect(() =>
      validatePatchSet(patchset([{ metadata: { name: "a", values: [1, 2] }, patch: [{ op: "add", path: "/x" }] }])),
    ).toThrow('patches[0].patch[0]: operation "add" needs a "value".');
  });
});

describe("model specification errors", () => {
  const build = (ws: unknown, extra: Record<string, unknown> = {}) =>
    new PyhfBackend({ backgroundOnlyModel: ws as never, signalPatch: [], measurement: "main", ...extra });

  it("an unknown POI", () => {
    const error = errorOf(() => build(edited((ws) => (ws.measurements[0].config.poi = "mu_sig"))));
    expect(error.message).toMatch(
      /^measurements\[0\]\.config\.poi: the parameter of interest "mu_sig" is not a parameter of the model/,
    );
  });

  it("a luminosity without its configuration", () => {
    const error = errorOf(() => build(edited((ws) => ws.measurements[0].config.parameters.splice(0, 1))));
    expect(error.message).toMatch(/^measurements\[0\]\.config\.parameters: the lumi parameter "lumi" needs "auxdata"/);
  });

  it("a configuration member the parameter does not use", () => {
    const error = errorOf(() =>
      build(edited((ws) => ws.measurements[0].config.parameters.push({ name: "jes", sigmas: [2] }))),
    );
    expect(error.message).toBe(
      'measurements[0].config.parameters[2].sigmas: parameter "jes" (normsys) does not use "sigmas"; it accepts inits, bounds, auxdata, fixed.',
    );
  });

  it("a configuration of the wrong size", () => {
    const error = errorOf(() =>
      build(edited((ws) => ws.measurements[0].config.parameters.push({ name: "stat_SR", inits: [1, 1] }))),
    );
    expect(error.message).toBe(
      'measurements[0].config.parameters[2].inits: parameter "stat_SR" has 3 components but 2 inits were configured.',
    );
  });

  it("a name shared by incompatible modifiers", () => {
    const error = errorOf(() =>
      build(edited((ws) => ws.channels[0].samples[2].modifiers.push({ name: "jes", type: "normfactor", data: null }))),
    );
    // Parameter sets are merged in pyhf's type order (normfactor before normsys).
    expect(error.message).toBe(
      'channels[1].samples[0].modifiers[2]: the normsys modifier "jes" cannot share its parameter with the normfactor modifier at channels[0].samples[2].modifiers[2] (constraint none vs normal).',
    );
  });

  it("a shapesys name on two samples", () => {
    const error = errorOf(() =>
      build(
        edited((ws) =>
          ws.channels[1].samples[0].modifiers.push({ name: "wjets_shape", type: "shapesys", data: [1, 1] }),
        ),
      ),
    );
    expect(error.message).toMatch(/shapesys parameters are per sample \(not shared\)/);
  });

  it("a missing or mis-sized observation", () => {
    expect(errorOf(() => build(edited((ws) => ws.observations.splice(1, 1)))).message).toBe(
      'observations: there is no observation for channel "CR".',
    );
    expect(errorOf(() => build(edited((ws) => (ws.observations[0].data = [1, 2])))).message).toBe(
      'observations[0].data: has 2 bins but channel "SR" has 3.',
    );
  });

  it("a non-positive normsys factor", () => {
    expect(errorOf(() => build(edited((ws) => (ws.channels[0].samples[0].modifiers[2].data.lo = 0)))).message).toBe(
      "channels[0].samples[0].modifiers[2].data.lo: a normsys variation must be a positive factor for interpolation code 4; got 0.",
    );
  });

  it("errors after a signal patch say so", () => {
    const error = errorOf(
      () =>
        new PyhfBackend({
          backgroundOnlyModel: base as never,
          signalPatch: [{ op: "replace", path: "/channels/0/samples/1/data", value: [1, 2] }],
          measurement: "main",
        }),
    );
    expect(error.message).toBe(
      'channels[0].samples[1].data: sample "ttbar" has 2 bins but channel "SR" has 3 (the length of its first sample). (in the workspace after applying signalPatch)',
    );
  });

  it("bad options", () => {
    expect(() => build(base, { modifierSettings: { normsys: { interpcode: "code2" } } })).toThrow(
      'modifierSettings.normsys.interpcode must be one of "code1", "code4"; got "code2".',
    );
    expect(() => build(base, { poiBounds: "root" })).toThrow(
      'poiBounds must be "spey-pyhf" or "measurement"; got "root".',
    );
    expect(() => new PyhfBackend({} as never)).toThrow(/backgroundOnlyModel is required/);
    expect(() => new Workspace({ channels: [] })).toThrow(/missing required member "observations"/);
  });
});
