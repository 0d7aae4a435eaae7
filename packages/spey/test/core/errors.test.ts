import { describe, expect, it } from "vitest";
import * as errors from "../../src/core/errors.js";
import {
  CapabilityError,
  ComputationError,
  InputError,
  InvalidWorkspaceOperation,
  JsonPatchError,
  PatchSetVerificationError,
  SpeyError,
  WorkspaceError,
} from "../../src/index.js";

// Every error class the library exports, with the class of failure it must report.
const KINDS: Record<string, "input" | "capability" | "computation"> = {
  InputError: "input",
  InvalidInput: "input",
  PluginError: "input",
  MissingMetaData: "input",
  AbstractModel: "input",
  UnknownTestStatistics: "input",
  UnknownCrossSection: "input",
  AnalysisQueryError: "input",
  InvalidUncertaintyDefinition: "input",
  DistributionError: "input",
  CapabilityError: "capability",
  CalculatorNotAvailable: "capability",
  MethodNotAvailable: "capability",
  CombinerNotAvailable: "capability",
  ComputationError: "computation",
  NegativeExpectedYields: "computation",
  AsimovTestStatZero: "computation",
  ConvergenceError: "computation",
};

describe("error classes", () => {
  const classes = Object.entries(errors as Record<string, unknown>).filter(
    ([, value]) => typeof value === "function" && (value as { prototype: unknown }).prototype instanceof Error,
  );

  it("every exported class is listed with its kind (none forgotten)", () => {
    expect(classes.map(([n]) => n).sort()).toEqual(["SpeyError", ...Object.keys(KINDS)].sort());
  });

  it.each(Object.entries(KINDS))("%s has the static name it is exported as and kind %s", (name, kind) => {
    const cls = (errors as unknown as Record<string, new (m: string) => SpeyError>)[name] as new (
      m: string,
    ) => SpeyError;
    const error = new cls("message");
    // The name is a string literal in the class body, so it survives minifiers that rename classes.
    expect(error.name).toBe(name);
    expect(error.kind).toBe(kind);
    expect(error).toBeInstanceOf(SpeyError);
    expect(error).toBeInstanceOf(
      { input: InputError, capability: CapabilityError, computation: ComputationError }[kind],
    );
    expect(error.message).toBe("message");
  });

  it("HistFactory document errors are input errors with their own names", () => {
    const cases: [SpeyError, string][] = [
      [new WorkspaceError(["channels", 0], "bad"), "WorkspaceError"],
      [new JsonPatchError(0, "bad"), "JsonPatchError"],
      [new PatchSetVerificationError("bad"), "PatchSetVerificationError"],
      [new InvalidWorkspaceOperation("bad"), "InvalidWorkspaceOperation"],
    ];
    for (const [error, name] of cases) {
      expect(error.name).toBe(name);
      expect(error.kind).toBe("input");
    }
  });

  it("a direct SpeyError (as a plug-in may throw) has no kind", () => {
    expect(new SpeyError("x").kind).toBeUndefined();
    expect(new SpeyError("x").name).toBe("SpeyError");
  });
});
