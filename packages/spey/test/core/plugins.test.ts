import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BackendBase } from "../../src/plugin/backend-base.js";
import {
  availableBackends,
  getBackend,
  getBackendBibtex,
  getBackendMetadata,
  registerBackend,
  resetBackendEntries,
} from "../../src/model/get-backend.js";
import type { LikelihoodOptions } from "../../src/plugin/types.js";
import { ModelConfig } from "../../src/config/model-config.js";
import { AbstractModel, MissingMetaData, PluginError } from "../../src/core/errors.js";
import { ExpectationType } from "../../src/core/expectation.js";
import { satisfies } from "../../src/plugin/semver.js";

/** The seed page's PoissonModel, written in TypeScript as a user would. */
class PoissonModel extends BackendBase {
  static override name = "my_package.poisson";
  static override version = "1.0.0";
  static override author = "Jane Doe";
  static override speyRequires = ">=0.1.0";

  private readonly signal: number[];
  private readonly background: number[];
  private readonly data: number[];

  constructor({ signal, background, data }: { signal: number[]; background: number[]; data: number[] }) {
    super();
    this.signal = signal;
    this.background = background;
    this.data = data;
  }

  override get isAlive(): boolean {
    return this.signal.some((s) => s > 0);
  }

  config({ allowNegativeSignal = true, poiUpperBound = 10 } = {}): ModelConfig {
    const minimumPoi = allowNegativeSignal ? -10 : 0;
    return new ModelConfig({
      poiIndex: 0,
      minimumPoi,
      suggestedInit: [1],
      suggestedBounds: [[minimumPoi, poiUpperBound]],
    });
  }

  getLogpdfFunc({ expected = ExpectationType.observed, data }: LikelihoodOptions = {}) {
    const obs = expected === ExpectationType.apriori && !data ? this.background : Array.from(data ?? this.data);
    return (pars: Float64Array) => {
      const mu = pars[0] as number;
      let sum = 0;
      obs.forEach((n, i) => {
        const rate = mu * (this.signal[i] as number) + (this.background[i] as number);
        sum += n * Math.log(rate) - rate;
      });
      return sum;
    };
  }

  override expectedData(pars: Float64Array): Float64Array {
    const mu = pars[0] as number;
    return Float64Array.from(this.signal, (s, i) => mu * s + (this.background[i] as number));
  }
}

const fixtureProject = fileURLToPath(new URL("../fixtures/plugin-project", import.meta.url));

afterEach(() => resetBackendEntries());

describe("plug-in registry (spey's backend registry, seed page)", () => {
  it("a user-registered PoissonModel gives the same 1−CLs as default.poisson", () => {
    registerBackend(PoissonModel);
    expect(availableBackends()).toContain("my_package.poisson");
    const args = { signal: [5, 3], background: [10, 8], data: [12, 9] };
    const mine = getBackend("my_package.poisson")({ ...args, analysis: "example", xsection: 0.05 });
    const builtin = getBackend("default.poisson")({ signalYields: [5, 3], backgroundYields: [10, 8], data: [12, 9] });
    const a = mine.exclusionConfidenceLevel()[0] as number;
    const b = builtin.exclusionConfidenceLevel()[0] as number;
    // Same likelihood up to the constant −lnΓ(n+1), which cancels in every ratio: agreement is
    // limited by the two fits' convergence, far below 1e-8.
    expect(Math.abs(a - b)).toBeLessThan(1e-8);
    expect(a).toBeGreaterThan(0);
    expect(mine.analysis).toBe("example");
    expect(mine.xsection).toBe(0.05);
    expect(mine.backendType).toBe("my_package.poisson");
    expect(mine.availableCalculators).toEqual(["asymptotic", "chi_square"]);
  });

  it("registerBackend rejects duplicates, missing metadata, abstract classes and incompatible versions", () => {
    registerBackend(PoissonModel);
    expect(() => registerBackend(PoissonModel)).toThrow(PluginError);
    class NoMeta extends PoissonModel {}
    Object.defineProperty(NoMeta, "speyRequires", { value: undefined });
    expect(() => registerBackend(NoMeta)).toThrow(MissingMetaData);
    abstract class Half extends BackendBase {
      static override name = "half";
      static override speyRequires = ">=0.1.0";
    }
    expect(() => registerBackend(Half as never)).toThrow(AbstractModel);
    class Future extends PoissonModel {
      static override name = "future.model";
      static override speyRequires = ">=99.0.0";
    }
    expect(() => registerBackend(Future)).toThrow(/requires spey version >=99.0.0/);
  });

  it("getBackend names the available backends when the name is unknown", () => {
    expect(() => getBackend("no.such.backend")).toThrow(PluginError);
    expect(() => getBackend("no.such.backend")).toThrow(/Available backends are .*default\.poisson/);
  });

  it("getBackendMetadata fills spey's defaults; getBackendBibtex works offline from metadata", () => {
    registerBackend(PoissonModel);
    expect(getBackendMetadata("my_package.poisson")).toEqual({
      name: "my_package.poisson",
      author: "Jane Doe",
      version: "1.0.0",
      speyRequires: ">=0.1.0",
      doi: [],
      arXiv: [],
      zenodo: [],
    });
    expect(getBackendBibtex("my_package.poisson")).toEqual({ arXiv: [], doi: [], zenodo: [] });
  });

  it("discovers a plug-in declared in an installed package's package.json", () => {
    resetBackendEntries({ from: fixtureProject });
    expect(availableBackends()).toContain("demo.counting");
    const model = getBackend("demo.counting")({ signal: 5, background: 10, data: 12 });
    const reference = getBackend("default.poisson")({ signalYields: [5], backgroundYields: [10], data: [12] });
    // Identical likelihoods (constants included): the fits agree to optimiser precision.
    expect(Math.abs(model.maximizeLikelihood()[1] - reference.maximizeLikelihood()[1])).toBeLessThan(1e-9);
    expect(
      Math.abs((model.exclusionConfidenceLevel()[0] as number) - (reference.exclusionConfidenceLevel()[0] as number)),
    ).toBeLessThan(1e-8);
    expect(getBackendMetadata("demo.counting").arXiv).toEqual(["1007.1727"]);
    expect(getBackendBibtex("demo.counting").arXiv[0]).toMatch(/eprint = \{1007\.1727\}/);
  });

  it("resetBackendEntries removes user registrations and keeps the built-ins", () => {
    registerBackend(PoissonModel);
    resetBackendEntries();
    expect(availableBackends()).not.toContain("my_package.poisson");
    expect(availableBackends()).toEqual(
      expect.arrayContaining(["default.poisson", "default.normal", "default.multivariate_normal"]),
    );
  });
});

describe("semver ranges for speyRequires", () => {
  it.each([
    ["0.1.0", ">=0.1.0", true],
    ["0.1.0", ">0.1.0", false],
    ["0.1.0", "^0.1.0", true],
    ["0.2.0", "^0.1.0", false],
    ["1.4.2", "^1.2.0", true],
    ["2.0.0", "^1.2.0", false],
    ["0.1.5", "~0.1.2", true],
    ["0.2.0", "~0.1.2", false],
    ["0.1.0", ">=0.1.0,<0.2.0", true],
    ["0.2.0", ">=0.1.0 <0.2.0", false],
    ["0.1.0", "0.1.x", true],
    ["0.1.0", "*", true],
    ["0.1.0", "<0.1.0 || >=0.1.0", true],
    ["0.1.0-b3", "0.1.0-b3", true],
    ["0.1.0-b3", ">=0.1.0", false],
  ])("satisfies(%s, %s) = %s", (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});
