import { InvalidInput } from "../core/errors.js";
import { toFiniteVector } from "./inputs.js";
import { describeValue } from "../core/describe.js";

/** Signal yields as a function of the extra signal parameters φ (e.g. EFT coefficients). */
export type SignalFunction = (phi: Float64Array) => ArrayLike<number>;

/**
 * Signal yields s(φ): a fixed array, or a user function of `nSignalParameters` parameters whose
 * first and second derivatives are taken by central finite differences (a user function has no
 * analytic derivative; the step is scaled to |φ|).
 */
export class SignalYields {
  readonly nBins: number;
  readonly nParameters: number;
  readonly fn: SignalFunction | undefined;
  private readonly constant: Float64Array | undefined;

  private constructor(nBins: number, nParameters: number, fn?: SignalFunction, constant?: Float64Array) {
    this.nBins = nBins;
    this.nParameters = nParameters;
    this.fn = fn;
    this.constant = constant;
  }

  /** Build from spey's `signal_yields` + `n_signal_parameters` arguments. */
  static from(signal: unknown, nSignalParameters: unknown, nBins: number, argument = "signalYields"): SignalYields {
    const nsp = nSignalParameters ?? 0;
    if (typeof nsp !== "number" || !Number.isInteger(nsp) || nsp < 0) {
      throw new InvalidInput(
        `nSignalParameters must be a non-negative integer; got ${describeValue(nSignalParameters)}.`,
      );
    }
    if (typeof signal === "function") {
      const fn = signal as SignalFunction;
      const probe = fn(new Float64Array(nsp));
      if (!probe || probe.length !== nBins) {
        throw new InvalidInput(
          `${argument}(φ) must return ${nBins} values (one per bin); got ${probe?.length ?? "nothing"}.`,
        );
      }
      return new SignalYields(nBins, nsp, fn);
    }
    if (nsp > 0) {
      throw new InvalidInput(`nSignalParameters = ${nsp} needs ${argument} to be a function of the signal parameters.`);
    }
    return new SignalYields(
      nBins,
      0,
      undefined,
      toFiniteVector(signal, argument, { allowNegative: true, length: nBins }),
    );
  }

  /** Whether any bin has positive signal (a callable signal counts as alive). */
  get isAlive(): boolean {
    const s = this.constant;
    if (!s) return true;
    for (let i = 0; i < s.length; i++) if ((s[i] as number) > 0) return true;
    return false;
  }

  /** The fixed yields, or undefined for a callable signal. */
  get fixed(): Float64Array | undefined {
    return this.constant;
  }

  /** s(φ) with φ = pars[offset … offset + nParameters). */
  values(pars: Float64Array, offset: number, out: Float64Array): Float64Array {
    if (this.constant) {
      out.set(this.constant);
      return out;
    }
    const phi = pars.subarray(offset, offset + this.nParameters);
    const v = (this.fn as SignalFunction)(phi);
    for (let i = 0; i < this.nBins; i++) out[i] = v[i] as number;
    return out;
  }

  /** ∂s_i/∂φ_k, row-major nBins × nParameters (central differences). */
  jacobian(pars: Float64Array, offset: number): Float64Array {
    const n = this.nBins;
    const k = this.nParameters;
    const out = new Float64Array(n * k);
    if (k === 0) return out;
    const phi = Float64Array.from(pars.subarray(offset, offset + k));
    const fn = this.fn as SignalFunction;
    for (let a = 0; a < k; a++) {
      const x = phi[a] as number;
      const h = 1e-6 * Math.max(1, Math.abs(x));
      phi[a] = x + h;
      const up = Float64Array.from(fn(phi));
      phi[a] = x - h;
      const down = fn(phi);
      phi[a] = x;
      for (let i = 0; i < n; i++) out[i * k + a] = ((up[i] as number) - (down[i] as number)) / (2 * h);
    }
    return out;
  }

  /** ∂²s_i/∂φ_a∂φ_b, layout [i][a][b] (central differences of the Jacobian). */
  secondDerivatives(pars: Float64Array, offset: number): Float64Array {
    const n = this.nBins;
    const k = this.nParameters;
    const out = new Float64Array(n * k * k);
    if (k === 0) return out;
    const shifted = Float64Array.from(pars);
    for (let b = 0; b < k; b++) {
      const x = pars[offset + b] as number;
      const h = 1e-4 * Math.max(1, Math.abs(x));
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
