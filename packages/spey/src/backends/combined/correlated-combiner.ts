import type { Bound } from "../../config/model-config.js";
import { ModelConfig } from "../../config/model-config.js";
import { InvalidInput } from "../../core/errors.js";
import type { RandomSource } from "../../math/random.js";
import { VERSION } from "../../core/version.js";
import { BackendBase } from "../../plugin/backend-base.js";
import type {
  ConfigOptions,
  HessianFunction,
  LikelihoodOptions,
  LogpdfFunction,
  ObjectiveFunction,
  Parameters,
  Sampler,
} from "../../plugin/types.js";
import { describeValue } from "../../core/describe.js";

/** A model given to the combiner: a statistical model (its `analysis` names it) or a bare backend. */
export interface CombinableModel {
  readonly backend: BackendBase;
  readonly analysis: string;
}

/**
 * A parameter shared between models: a name present in several models (`"mu"`, the POI of every
 * model; `"signal_par_0"`), or an explicit map `{name, members: {analysis: nameOrIndex}}`.
 */
export type SharedParameter =
  | string
  | { readonly name: string; readonly members: Readonly<Record<string, string | number>> };

export interface CorrelatedCombinerArgs {
  readonly models: readonly (CombinableModel | BackendBase)[];
  /** Analysis names of bare backends (default `model_<k>`). */
  readonly analyses?: readonly string[];
  /** Shared parameters (default `["mu"]`: the POIs). */
  readonly sharedParameters?: readonly SharedParameter[];
}

interface Member {
  readonly backend: BackendBase;
  readonly analysis: string;
  readonly config: ModelConfig;
  /** combined index of each of the model's parameters */
  readonly map: Int32Array;
  /** length of the model's data vector (main + auxiliary) */
  readonly dataLength: number;
}

/**
 * `default.correlated_combiner` (spey's development version, addendum §5): several statistical
 * models sharing parameters, profiled jointly. log L = Σ_k log L_k(P_k p), where P_k selects model
 * k's parameters from the combined vector p; gradients and Hessians are scatter-adds of the
 * constituents'. The combined data vector is the concatenation of each model's full data vector
 * (main counts followed by its auxiliary data, as `expectedData` returns them).
 */
export class CorrelatedCombiner extends BackendBase {
  static override name = "default.correlated_combiner";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  private readonly members: Member[];
  private readonly storedConfig: ModelConfig;
  readonly parameterNames: readonly string[];

  constructor(args: CorrelatedCombinerArgs) {
    super();
    if (!args || !Array.isArray(args.models) || args.models.length === 0) {
      throw new InvalidInput("models must be a non-empty array of statistical models or backends.");
    }
    const entries = args.models.map((m, k) => {
      const backend = m instanceof BackendBase ? m : (m as CombinableModel).backend;
      if (!backend || typeof backend.getLogpdfFunc !== "function") {
        throw new InvalidInput(`models[${k}] is neither a StatisticalModel nor a BackendBase instance.`);
      }
      const analysis =
        m instanceof BackendBase ? (args.analyses?.[k] ?? `model_${k}`) : (m as CombinableModel).analysis;
      return { backend, analysis, config: backend.config() };
    });
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.analysis))
        throw new InvalidInput(`analysis "${e.analysis}" appears twice; give each model a unique name.`);
      names.add(e.analysis);
    }

    // combined parameter table
    const combinedNames: string[] = [];
    const maps = entries.map((e) => new Int32Array(e.config.npar).fill(-1));
    const resolveIn = (k: number, key: string | number): number | undefined => {
      const cfg = (entries[k] as { config: ModelConfig }).config;
      if (typeof key === "number") return key >= 0 && key < cfg.npar ? key : undefined;
      const idx = cfg.parameterNames?.indexOf(key) ?? -1;
      if (idx >= 0) return idx;
      return key === "mu" ? cfg.poiIndex : undefined;
    };
    for (const shared of args.sharedParameters ?? ["mu"]) {
      const c = combinedNames.length;
      const name = typeof shared === "string" ? shared : shared.name;
      if (combinedNames.includes(name)) throw new InvalidInput(`shared parameter "${name}" is declared twice.`);
      let count = 0;
      if (typeof shared === "string") {
        entries.forEach((_, k) => {
          const idx = resolveIn(k, shared);
          if (idx !== undefined) {
            (maps[k] as Int32Array)[idx] = c;
            count++;
          }
        });
      } else {
        for (const [analysis, key] of Object.entries(shared.members)) {
          const k = entries.findIndex((e) => e.analysis === analysis);
          if (k < 0) throw new InvalidInput(`shared parameter "${name}": no model with analysis "${analysis}".`);
          const idx = resolveIn(k, key);
          if (idx === undefined) {
            throw new InvalidInput(
              `shared parameter "${name}": model "${analysis}" has no parameter ${describeValue(key)}.`,
            );
          }
          if ((maps[k] as Int32Array)[idx] !== -1) {
            throw new InvalidInput(
              `shared parameter "${name}": parameter ${describeValue(key)} of "${analysis}" is already shared.`,
            );
          }
          (maps[k] as Int32Array)[idx] = c;
          count++;
        }
      }
      if (count === 0) throw new InvalidInput(`shared parameter "${name}" matches no parameter of any model.`);
      combinedNames.push(name);
    }
    entries.forEach((e, k) => {
      const map = maps[k] as Int32Array;
      for (let i = 0; i < map.length; i++) {
        if (map[i] !== -1) continue;
        map[i] = combinedNames.length;
        combinedNames.push(`${e.analysis}::${e.config.parameterNames?.[i] ?? i}`);
      }
    });
    this.parameterNames = combinedNames;

    // data lengths from expected data at the suggested point (main + auxiliary)
    this.members = entries.map((e, k) => {
      const init = Float64Array.from(e.config.suggestedInit);
      const length = e.backend.expectedData ? e.backend.expectedData(init).length : 0;
      return { ...e, map: maps[k] as Int32Array, dataLength: length };
    });

    // configuration: inits from the first member, bounds intersected
    const n = combinedNames.length;
    const init = new Array<number>(n).fill(Number.NaN);
    const bounds: [number, number][] = Array.from({ length: n }, () => [
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    for (const m of this.members) {
      m.map.forEach((c, i) => {
        if (Number.isNaN(init[c] as number)) init[c] = m.config.suggestedInit[i] as number;
        const b = m.config.suggestedBounds[i] as Bound;
        const cb = bounds[c] as [number, number];
        cb[0] = Math.max(cb[0], b[0]);
        cb[1] = Math.min(cb[1], b[1]);
      });
    }
    const first = this.members[0] as Member;
    const poiIndex = first.map[first.config.poiIndex] as number;
    const minimumPoi = Math.max(
      ...this.members.filter((m) => m.map[m.config.poiIndex] === poiIndex).map((m) => m.config.minimumPoi),
    );
    bounds.forEach((b, i) => {
      if (b[0] > b[1])
        throw new InvalidInput(`the bounds of shared parameter "${combinedNames[i]}" do not overlap across models.`);
    });
    this.storedConfig = new ModelConfig({
      poiIndex,
      minimumPoi,
      suggestedInit: init,
      suggestedBounds: bounds,
      parameterNames: combinedNames,
    });
  }

  override get isAlive(): boolean {
    return this.members.some((m) => m.backend.isAlive);
  }

  config(options: ConfigOptions = {}): ModelConfig {
    const allow = options.allowNegativeSignal ?? true;
    const upper = options.poiUpperBound ?? (this.storedConfig.suggestedBounds[this.storedConfig.poiIndex] as Bound)[1];
    if (allow && options.poiUpperBound === undefined) return this.storedConfig;
    return this.storedConfig.rescalePoiBounds({ allowNegativeSignal: allow, poiUpperBound: upper });
  }

  /** Split a combined data vector into per-model vectors. */
  private splitData(data: ArrayLike<number> | undefined): (Float64Array | undefined)[] {
    if (data === undefined) return this.members.map(() => undefined);
    const total = this.members.reduce((s, m) => s + m.dataLength, 0);
    if (data.length !== total) {
      throw new InvalidInput(
        `data has ${data.length} entries; the combined model expects ${total} (each model's main and auxiliary data, concatenated in model order).`,
      );
    }
    const out: Float64Array[] = [];
    let offset = 0;
    for (const m of this.members) {
      out.push(Float64Array.from({ length: m.dataLength }, (_, i) => data[offset + i] as number));
      offset += m.dataLength;
    }
    return out;
  }

  private memberOptions(options: LikelihoodOptions | undefined): LikelihoodOptions[] {
    const parts = this.splitData(options?.data);
    return this.members.map((_, k) => ({
      ...(options?.expected ? { expected: options.expected } : {}),
      ...(parts[k] ? { data: parts[k] } : {}),
    }));
  }

  private gather(m: Member, pars: Parameters, out: Float64Array): Float64Array {
    for (let i = 0; i < m.map.length; i++) out[i] = pars[m.map[i] as number] as number;
    return out;
  }

  getLogpdfFunc(options?: LikelihoodOptions): LogpdfFunction {
    const opts = this.memberOptions(options);
    const fns = this.members.map((m, k) => m.backend.getLogpdfFunc(opts[k]));
    const scratch = this.members.map((m) => new Float64Array(m.map.length));
    return (pars) => {
      let total = 0;
      this.members.forEach((m, k) => {
        total += (fns[k] as LogpdfFunction)(this.gather(m, pars, scratch[k] as Float64Array));
      });
      return total;
    };
  }

  override getObjectiveFunction(options?: LikelihoodOptions): ObjectiveFunction {
    const opts = this.memberOptions(options);
    const fns = this.members.map((m, k) => {
      const objective = m.backend.getObjectiveFunction?.(opts[k]);
      if (objective) return objective;
      const logpdf = m.backend.getLogpdfFunc(opts[k]);
      return finiteDifferenceObjective(logpdf);
    });
    const scratch = this.members.map((m) => new Float64Array(m.map.length));
    const grads = this.members.map((m) => new Float64Array(m.map.length));
    return (pars, grad) => {
      let total = 0;
      if (grad) grad.fill(0);
      this.members.forEach((m, k) => {
        const g = grads[k] as Float64Array;
        total += (fns[k] as ObjectiveFunction)(this.gather(m, pars, scratch[k] as Float64Array), grad ? g : undefined);
        if (grad)
          for (let i = 0; i < m.map.length; i++)
            grad[m.map[i] as number] = (grad[m.map[i] as number] as number) + (g[i] as number);
      });
      return total;
    };
  }

  override getHessianLogpdfFunc(options?: LikelihoodOptions): HessianFunction {
    const opts = this.memberOptions(options);
    const fns = this.members.map((m, k) => {
      const h = m.backend.getHessianLogpdfFunc?.(opts[k]);
      if (!h) throw new InvalidInput(`model "${m.analysis}" has no Hessian; the combined Hessian is unavailable.`);
      return h;
    });
    const n = this.parameterNames.length;
    const scratch = this.members.map((m) => new Float64Array(m.map.length));
    return (pars) => {
      const H = new Float64Array(n * n);
      this.members.forEach((m, k) => {
        const h = (fns[k] as HessianFunction)(this.gather(m, pars, scratch[k] as Float64Array));
        const p = m.map.length;
        for (let a = 0; a < p; a++) {
          const ca = m.map[a] as number;
          for (let b = 0; b < p; b++) {
            const idx = ca * n + (m.map[b] as number);
            H[idx] = (H[idx] as number) + (h[a * p + b] as number);
          }
        }
      });
      return H;
    };
  }

  override expectedData(pars: Parameters): Float64Array {
    const parts = this.members.map((m) => {
      if (!m.backend.expectedData) throw new InvalidInput(`model "${m.analysis}" has no expectedData.`);
      return m.backend.expectedData(this.gather(m, pars, new Float64Array(m.map.length)));
    });
    const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  override domainBounds(): readonly Bound[] | undefined {
    const n = this.parameterNames.length;
    const out: [number, number][] = Array.from({ length: n }, () => [
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    let any = false;
    for (const m of this.members) {
      const d = m.backend.domainBounds?.();
      if (!d) continue;
      any = true;
      m.map.forEach((c, i) => {
        const b = d[i];
        if (!b) return;
        const o = out[c] as [number, number];
        o[0] = Math.max(o[0], b[0]);
        o[1] = Math.min(o[1], b[1]);
      });
    }
    return any ? out : undefined;
  }

  override getSampler(pars: Parameters): Sampler {
    const samplers = this.members.map((m) => {
      if (!m.backend.getSampler) throw new InvalidInput(`model "${m.analysis}" cannot draw pseudo-data.`);
      return m.backend.getSampler(this.gather(m, pars, new Float64Array(m.map.length)));
    });
    return (size: number, rng: RandomSource) => {
      const parts = samplers.map((s) => s(size, rng));
      return Array.from({ length: size }, (_, t) => {
        const pieces = parts.map((p) => p[t] as Float64Array);
        const out = new Float64Array(pieces.reduce((s, p) => s + p.length, 0));
        let offset = 0;
        for (const p of pieces) {
          out.set(p, offset);
          offset += p.length;
        }
        return out;
      });
    };
  }
}

function finiteDifferenceObjective(logpdf: LogpdfFunction): ObjectiveFunction {
  return (pars, grad) => {
    const value = -logpdf(pars);
    if (grad) {
      const x = Float64Array.from(pars);
      for (let i = 0; i < x.length; i++) {
        const xi = x[i] as number;
        const h = 1e-6 * Math.max(1, Math.abs(xi));
        x[i] = xi + h;
        const up = -logpdf(x);
        x[i] = xi - h;
        const down = -logpdf(x);
        x[i] = xi;
        grad[i] = (up - down) / (2 * h);
      }
    }
    return value;
  };
}
