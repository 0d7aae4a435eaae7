/**
 * Signal-uncertainty modifiers of the simplified likelihoods (spey's
 * `signal_uncertainty_synthesizer`, spey's `default_pdf.uncertainty_synthesizer`): log-normal morphing of the signal yields,
 * sᵢ → sᵢ·fᵢ(α) with fᵢ = exp(Σₖ αₖ·Lᵢₖ), Lᵢₖ = ln δ_up,ᵢₖ for αₖ on the "up" side and ln δ_dn,ᵢₖ
 * otherwise, and one standard-normal measurement N(aₖ | αₖ, 1) per nuisance αₖ.
 */
import { InvalidUncertaintyDefinition } from "../../core/errors.js";
import { logWarning } from "../../core/logger.js";
import { describeValue, isArrayLike, isFiniteNumber, isArray, exp, ln, freeze } from "../../core/describe.js";
import { zeros } from "../../core/arrays.js";

/**
 * One signal uncertainty. `uncertainties` holds one absolute uncertainty per bin (symmetric), or
 * one `[up, down]` pair per bin (asymmetric); δ = 1 + uncertainty/signal.
 */
export interface ModifierDefinition {
  /** "normalization": one nuisance shared by every bin; "shape": one nuisance per bin. */
  readonly type: "normalization" | "shape";
  readonly uncertainties: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Used in the parameter names (default `mod<k>`, k the modifier's position). */
  readonly name?: string;
}

const MODIFIER_TYPES = ["normalization", "shape"] as const;

/**
 * The parsed modifiers: M nuisances α (1 per normalisation modifier, N per shape modifier) and,
 * bin by bin (compressed rows), the nuisances that act on the bin with their log-factors.
 */
export class SignalModifiers {
  /** Number of modifier nuisances M. */
  declare readonly nParameters: number;
  /** Parameter names: `theta_sig_<name>` or `theta_sig_<name>_<i>`. */
  declare readonly names: readonly string[];
  /** Entries of bin i are `binStart[i] … binStart[i+1] − 1`. */
  declare readonly binStart: Int32Array;
  /** Index (0 … M−1) of the nuisance of each entry. */
  declare readonly alpha: Int32Array;
  /** ln δ_up of each entry. */
  readonly #logUp: Float64Array;
  /** ln δ_dn of each entry. */
  readonly #logDown: Float64Array;
  /**
   * Whether α = 0 counts as the "up" side (spey: shape modifiers use α ≥ 0, normalisation
   * modifiers α > 0). It only decides the one-sided derivative at α = 0.
   */
  readonly #upAtZero: Uint8Array;

  private constructor(
    nParameters: number,
    names: string[],
    binStart: Int32Array,
    alpha: Int32Array,
    logUp: Float64Array,
    logDown: Float64Array,
    upAtZero: Uint8Array,
  ) {
    this.nParameters = nParameters;
    this.names = freeze(names);
    this.binStart = binStart;
    this.alpha = alpha;
    this.#logUp = logUp;
    this.#logDown = logDown;
    this.#upAtZero = upAtZero;
  }

  /**
   * Parse and validate spey's modifier list for signal yields `signal` (spey's `default_pdf.uncertainty_synthesizer`): unknown types,
   * wrong lengths, malformed or non-finite uncertainties are `InvalidUncertaintyDefinition`;
   * δ < 1 (a negative uncertainty, or a negative signal bin) is clamped to 1 with a warning, as
   * spey does; bins with zero signal get δ = 1.
   */
  static from(modifiers: unknown, signal: Float64Array): SignalModifiers | undefined {
    if (modifiers === undefined || modifiers === null) return undefined;
    if (!isArray(modifiers)) {
      throw new InvalidUncertaintyDefinition(
        "modifiers must be an array of modifier definitions {type, uncertainties, name?}.",
      );
    }
    if (modifiers.length === 0) return undefined;
    const n = signal.length;
    type Entry = { bin: number; alpha: number; up: number; down: number; upAtZero: boolean };
    const entries: Entry[] = [];
    const names: string[] = [];
    const seen = new Set<string>();
    let nAlpha = 0;
    modifiers.forEach((raw: unknown, k: number) => {
      if (!raw || typeof raw !== "object") {
        throw new InvalidUncertaintyDefinition(`modifiers[${k}] must be an object {type, uncertainties, name?}.`);
      }
      const def = raw as Record<string, unknown>;
      const name = def.name === undefined || def.name === null ? `mod${k}` : String(def.name);
      const type = def.type;
      if (typeof type !== "string" || !(MODIFIER_TYPES as readonly string[]).includes(type)) {
        throw new InvalidUncertaintyDefinition(
          `Unknown modifier type '${String(type)}'. Expected one of ('normalization', 'shape').`,
        );
      }
      if (seen.has(name)) {
        throw new InvalidUncertaintyDefinition(
          `Modifier name '${name}' is used twice; give each modifier a unique name.`,
        );
      }
      seen.add(name);
      const { up, down } = readUncertainties(def.uncertainties, name, n);
      const deltaUp = deltas(up, signal, name, "up");
      const deltaDown = deltas(down, signal, name, "dn");
      if (type === "normalization") {
        for (let i = 0; i < n; i++) {
          entries.push({
            bin: i,
            alpha: nAlpha,
            up: ln(deltaUp[i]!),
            down: ln(deltaDown[i]!),
            upAtZero: false,
          });
        }
        names.push(`theta_sig_${name}`);
        nAlpha += 1;
      } else {
        for (let i = 0; i < n; i++) {
          entries.push({
            bin: i,
            alpha: nAlpha + i,
            up: ln(deltaUp[i]!),
            down: ln(deltaDown[i]!),
            upAtZero: true,
          });
          names.push(`theta_sig_${name}_${i}`);
        }
        nAlpha += n;
      }
    });
    entries.sort((a, b) => a.bin - b.bin || a.alpha - b.alpha);
    const binStart = new Int32Array(n + 1);
    for (const e of entries) binStart[e.bin + 1]! += 1;
    for (let i = 0; i < n; i++) binStart[i + 1]! += binStart[i]!;
    return new SignalModifiers(
      nAlpha,
      names,
      binStart,
      Int32Array.from(entries, (e) => e.alpha),
      Float64Array.from(entries, (e) => e.up),
      Float64Array.from(entries, (e) => e.down),
      Uint8Array.from(entries, (e) => (e.upAtZero ? 1 : 0)),
    );
  }

  /** Log-factor Lₑ of entry e at nuisance value `a`. */
  logFactor(e: number, a: number): number {
    return a > 0 || (a === 0 && this.#upAtZero[e] === 1) ? this.#logUp[e]! : this.#logDown[e]!;
  }

  /** fᵢ = exp(Σ αL) for every bin, reading α at `pars[offset …]`. */
  factors(pars: Float64Array, offset: number, out: Float64Array): void {
    const start = this.binStart;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let e = start[i]!; e < start[i + 1]!; e++) {
        const a = pars[offset + this.alpha[e]!]!;
        s += a * this.logFactor(e, a);
      }
      out[i] = exp(s);
    }
  }
}

function readUncertainties(values: unknown, name: string, n: number): { up: Float64Array; down: Float64Array } {
  if (!isArrayLike(values)) {
    throw new InvalidUncertaintyDefinition(
      `Modifier '${name}': uncertainties must be an array with one entry per bin.`,
    );
  }
  const list = values as ArrayLike<unknown>;
  if (list.length !== n) {
    throw new InvalidUncertaintyDefinition(`Modifier '${name}': expected ${n} bins, got ${list.length}`);
  }
  const up = zeros(n);
  const down = zeros(n);
  const first = list[0];
  const twoDimensional = first !== null && typeof first === "object";
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (twoDimensional ? !isArrayLike(v) : v !== null && typeof v === "object") {
      throw new InvalidUncertaintyDefinition(
        `Modifier '${name}': unsupported uncertainty shape (mixed scalars and pairs). Expected 1D for symmetric or 2D for asymmetric (up, down) uncertainties.`,
      );
    }
    if (twoDimensional) {
      const pair = v as ArrayLike<unknown>;
      if (pair.length !== 2) {
        throw new InvalidUncertaintyDefinition(
          `Modifier '${name}': bin ${i} has ${pair.length} values; asymmetric uncertainties are (up, down) pairs.`,
        );
      }
      up[i] = finite(pair[0], name, i);
      down[i] = finite(pair[1], name, i);
    } else {
      up[i] = finite(v, name, i);
      down[i] = up[i]!;
    }
  }
  return { up, down };
}

function finite(v: unknown, name: string, bin: number): number {
  if (!isFiniteNumber(v)) {
    throw new InvalidUncertaintyDefinition(
      `Modifier '${name}': the uncertainty of bin ${bin} must be a finite number; got ${describeValue(v)}.`,
    );
  }
  return v as number;
}

/** δ = 1 + u/s (1 where s = 0), clamped to ≥ 1 with spey's warning. */
function deltas(u: Float64Array, signal: Float64Array, name: string, side: "up" | "dn"): Float64Array {
  const out = zeros(u.length);
  const bad: number[] = [];
  for (let i = 0; i < u.length; i++) {
    const s = signal[i]!;
    const d = s === 0 ? 1 : 1 + u[i]! / s;
    if (d === Number.POSITIVE_INFINITY) {
      throw new InvalidUncertaintyDefinition(
        `Modifier '${name}': delta_${side} of bin ${i} overflows (uncertainty ${u[i]} on signal ${s}).`,
      );
    }
    if (!(d >= 1)) {
      bad.push(i);
      out[i] = 1;
    } else {
      out[i] = d;
    }
  }
  if (bad.length > 0) {
    logWarning(`Modifier '${name}': invalid delta_${side} at bins [${bad.join(", ")}]; clamping to 1.0.`);
  }
  return out;
}
