import { InvalidInput } from "../core/errors.js";
import { describeValue, isFiniteNumber, isInteger, abs, max } from "../core/describe.js";
import { toFiniteVector } from "./inputs.js";
import { zeros, copyOf } from "../core/arrays.js";

/** Signal yields as a function of the extra signal parameters φ (e.g. EFT coefficients). */
export type SignalFunction = (phi: Float64Array) => ArrayLike<number>;

/** ∂s_i/∂φ_k: one row per bin, one column per signal parameter. */
export type SignalJacobianFunction = (phi: Float64Array) => ArrayLike<ArrayLike<number>>;

/** ∂²s_i/∂φ_a∂φ_b: one nSignalParameters × nSignalParameters matrix per bin. */
export type SignalHessianFunction = (phi: Float64Array) => ArrayLike<ArrayLike<ArrayLike<number>>>;

/** Where the derivatives of a callable signal come from. */
export type DerivativeSource = "analytic" | "finite-difference" | "none";

/** The user's signal and its optional derivatives (backend arguments `signalJacobian`, `signalHessian`). */
export interface SignalDerivativeArgs {
  /** ∂s/∂φ of a callable `signalYields` (nBins rows × nSignalParameters); analytic gradients then. */
  readonly signalJacobian?: SignalJacobianFunction | null;
  /** ∂²s/∂φ² (nBins × nSignalParameters × nSignalParameters); analytic Hessians then. */
  readonly signalHessian?: SignalHessianFunction | null;
}

/**
 * Largest |signal yield|: with it, μ·s, the test statistics' squares and limits down to μ ≈ 1e-100
 * stay within double precision (measured: limits exact for yields ×1e100, NaN bands at ×1e300).
 */
export const MAX_SIGNAL_YIELD = 1e100;

export class SignalYields {
  readonly #nBins: number;
  declare readonly nParameters: number;
  readonly #fn: SignalFunction | undefined;
  readonly #constant: Float64Array | undefined;
  readonly #jacobianFn: SignalJacobianFunction | undefined;
  readonly #hessianFn: SignalHessianFunction | undefined;

  private constructor(
    nBins: number,
    nParameters: number,
    fn?: SignalFunction,
    constant?: Float64Array,
    derivatives: { jacobian?: SignalJacobianFunction | undefined; hessian?: SignalHessianFunction | undefined } = {},
  ) {
    this.#nBins = nBins;
    this.nParameters = nParameters;
    this.#fn = fn;
    this.#constant = constant;
    this.#jacobianFn = derivatives.jacobian;
    this.#hessianFn = derivatives.hessian;
  }

  /** How ∂s/∂φ and ∂²s/∂φ² are computed ("none" without signal parameters). */
  get derivativeSources(): { jacobian: DerivativeSource; hessian: DerivativeSource } {
    if (this.nParameters === 0) return { jacobian: "none", hessian: "none" };
    return {
      jacobian: this.#jacobianFn ? "analytic" : "finite-difference",
      hessian: this.#hessianFn ? "analytic" : "finite-difference",
    };
  }

  /** Build from spey's `signal_yields` + `n_signal_parameters` arguments (and our derivative options). */
  static from(
    signal: unknown,
    nSignalParameters: unknown,
    nBins: number,
    argument = "signalYields",
    derivatives: SignalDerivativeArgs = {},
  ): SignalYields {
    const nsp = nSignalParameters ?? 0;
    if (typeof nsp !== "number" || !isInteger(nsp) || nsp < 0) {
      throw new InvalidInput(
        `nSignalParameters must be a non-negative integer; got ${describeValue(nSignalParameters)}.`,
      );
    }
    const jacobian = derivatives.signalJacobian ?? undefined;
    const hessian = derivatives.signalHessian ?? undefined;
    for (const [name, f] of [
      ["signalJacobian", jacobian],
      ["signalHessian", hessian],
    ] as const) {
      if (f !== undefined && typeof f !== "function") {
        throw new InvalidInput(`${name} must be a function of the signal parameters φ; got ${typeof f}.`);
      }
      if (f !== undefined && typeof signal !== "function") {
        throw new InvalidInput(
          `${name} needs ${argument} to be a function of the signal parameters (nSignalParameters > 0).`,
        );
      }
    }
    if (typeof signal === "function") {
      const fn = signal as SignalFunction;
      const zero = zeros(nsp);
      const probe = fn(zero);
      if (!probe || probe.length !== nBins) {
        throw new InvalidInput(
          `${argument}(φ) must return ${nBins} values (one per bin); got ${probe?.length ?? "nothing"}.`,
        );
      }
      if (jacobian) readJacobian(jacobian(zero), nBins, nsp);
      if (hessian) readHessian(hessian(zero), nBins, nsp);
      return new SignalYields(nBins, nsp, fn, undefined, { jacobian, hessian });
    }
    if (nsp > 0) {
      throw new InvalidInput(`nSignalParameters = ${nsp} needs ${argument} to be a function of the signal parameters.`);
    }
    const values = toFiniteVector(signal, argument, { allowNegative: true, length: nBins });
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (abs(v) > MAX_SIGNAL_YIELD) {
        throw new InvalidInput(
          `${argument}[${i}] = ${v} is beyond ±${MAX_SIGNAL_YIELD}: μ·s and its squares would leave double precision. Rescale the signal (limits on μ scale inversely: yields ×k give limits ×1/k).`,
        );
      }
    }
    return new SignalYields(nBins, 0, undefined, values);
  }

  /** Whether any bin has positive signal (a callable signal counts as alive). */
  get isAlive(): boolean {
    const s = this.#constant;
    if (!s) return true;
    for (let i = 0; i < s.length; i++) if ((s[i] as number) > 0) return true;
    return false;
  }

  /** The fixed yields, or undefined for a callable signal. */
  get fixed(): Float64Array | undefined {
    return this.#constant;
  }

  /** s(φ) with φ = pars[offset … offset + nParameters). */
  values(pars: Float64Array, offset: number, out: Float64Array): Float64Array {
    if (this.#constant) {
      out.set(this.#constant);
      return out;
    }
    const phi = pars.subarray(offset, offset + this.nParameters);
    const v = (this.#fn as SignalFunction)(phi);
    for (let i = 0; i < this.#nBins; i++) out[i] = v[i] as number;
    return out;
  }

  /** ∂s_i/∂φ_k, row-major nBins × nParameters (the user's `signalJacobian`, else central differences). */
  jacobian(pars: Float64Array, offset: number): Float64Array {
    const n = this.#nBins;
    const k = this.nParameters;
    if (k > 0 && this.#jacobianFn) {
      return readJacobian(this.#jacobianFn(copyOf(pars.subarray(offset, offset + k))), n, k);
    }
    const out = zeros(n * k);
    if (k === 0) return out;
    const phi = copyOf(pars.subarray(offset, offset + k));
    const fn = this.#fn as SignalFunction;
    for (let a = 0; a < k; a++) {
      const x = phi[a] as number;
      const h = 1e-6 * max(1, abs(x));
      phi[a] = x + h;
      const up = copyOf(fn(phi));
      phi[a] = x - h;
      const down = fn(phi);
      phi[a] = x;
      for (let i = 0; i < n; i++) out[i * k + a] = ((up[i] as number) - (down[i] as number)) / (2 * h);
    }
    return out;
  }

  /**
   * ∂²s_i/∂φ_a∂φ_b, layout [i][a][b]: the user's `signalHessian`, else central differences of the
   * Jacobian (of the user's analytic one when given).
   */
  secondDerivatives(pars: Float64Array, offset: number): Float64Array {
    const n = this.#nBins;
    const k = this.nParameters;
    if (k > 0 && this.#hessianFn) {
      return readHessian(this.#hessianFn(copyOf(pars.subarray(offset, offset + k))), n, k);
    }
    const out = zeros(n * k * k);
    if (k === 0) return out;
    const shifted = copyOf(pars);
    for (let b = 0; b < k; b++) {
      const x = pars[offset + b] as number;
      const h = 1e-4 * max(1, abs(x));
      shifted[offset + b] = x + h;
      const up = this.jacobian(shifted, offset);
      shifted[offset + b] = x - h;
      const down = this.jacobian(shifted, offset);
      shifted[offset + b] = x;
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < k; a++) {
          out[(i * k + a) * k + b] = ((up[i * k + a] as number) - (down[i * k + a] as number)) / (2 * h);
        }
      }
    }
    // symmetrise the finite-difference estimate
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          const avg = ((out[(i * k + a) * k + b] as number) + (out[(i * k + b) * k + a] as number)) / 2;
          out[(i * k + a) * k + b] = avg;
          out[(i * k + b) * k + a] = avg;
        }
      }
    }
    return out;
  }
}

function readJacobian(rows: ArrayLike<ArrayLike<number>>, n: number, k: number): Float64Array {
  if (!rows || rows.length !== n) {
    throw new InvalidInput(`signalJacobian(φ) must return ${n} rows (one per bin); got ${rows?.length ?? "nothing"}.`);
  }
  const out = zeros(n * k);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!row || row.length !== k) {
      throw new InvalidInput(`signalJacobian(φ)[${i}] must hold ${k} derivatives (one per signal parameter).`);
    }
    for (let a = 0; a < k; a++) {
      const v = row[a] as number;
      if (!isFiniteNumber(v)) throw new InvalidInput(`signalJacobian(φ)[${i}][${a}] must be finite; got ${v}.`);
      out[i * k + a] = v;
    }
  }
  return out;
}

function readHessian(blocks: ArrayLike<ArrayLike<ArrayLike<number>>>, n: number, k: number): Float64Array {
  if (!blocks || blocks.length !== n) {
    throw new InvalidInput(
      `signalHessian(φ) must return ${n} matrices (one per bin); got ${blocks?.length ?? "nothing"}.`,
    );
  }
  const out = zeros(n * k * k);
  for (let i = 0; i < n; i++) {
    const m = blocks[i];
    if (!m || m.length !== k) throw new InvalidInput(`signalHessian(φ)[${i}] must be a ${k}×${k} matrix.`);
    for (let a = 0; a < k; a++) {
      const row = m[a];
      if (!row || row.length !== k) throw new InvalidInput(`signalHessian(φ)[${i}][${a}] must hold ${k} values.`);
      for (let b = 0; b < k; b++) {
        const v = row[b] as number;
        if (!isFiniteNumber(v)) throw new InvalidInput(`signalHessian(φ)[${i}][${a}][${b}] must be finite; got ${v}.`);
        out[(i * k + a) * k + b] = v;
      }
    }
  }
  return out;
}
