/**
 * Evaluation of a compiled HistFactory model on fixed data (pyhf's `Model.logpdf` and its
 * derivatives): log L, −log L with its analytic gradient, the Hessian and the Fisher information.
 * The model itself (parameters, layout, expected yields) is built in `model.ts`.
 */
import { InvalidInput } from "../../core/errors.js";
import { gammaln } from "../../math/special.js";
import type { HistFactoryModel } from "./model.js";
import { evaluateDelta, evaluateFactor } from "./modifiers/terms.js";
import { zeros } from "../../core/arrays.js";
import { max, min, sqrt, ln } from "../../core/describe.js";

/** The data a likelihood is evaluated on: main-bin counts and auxiliary data. */
export interface ModelData {
  readonly main: Float64Array;
  readonly aux: Float64Array;
}

const HALF_LOG_2PI = 0.5 * ln(2 * Math.PI);

/**
 * λ − n − n ln(λ/n) (λ for n = 0): the part of −log Pois(n | λ) that depends on λ, shifted by a
 * constant so that it vanishes at λ = n; written as n (x − log1p x) with x = (λ − n)/n to keep its
 * absolute rounding error at ε |λ − n|. NaN for λ < 0 < n, +∞ for λ = 0 < n.
 */
function poissonDeviance(n: number, lambda: number): number {
  if (n === 0) return lambda;
  const x = (lambda - n) / n;
  return n * (x - Math.log1p(x));
}

/**
 * log L, its gradient and its Hessian on fixed data. Scratch buffers are allocated once per
 * evaluator; the data-only constants (log n!, Gaussian normalisations) are summed once.
 *
 * With c_k = B_k P_k the contribution of cell k (B = ν⁰ + Σ Δ, P = Π F), w_b = 1 − n_b/λ_b:
 *   ∂NLL/∂θ_p = Σ_k w_{b(k)} ∂c_k/∂θ_p + constraint terms,
 *   ∂²NLL/∂θ_p∂θ_q = Σ_b (n_b/λ_b²) ∂λ_b/∂θ_p ∂λ_b/∂θ_q + Σ_k w_{b(k)} ∂²c_k/∂θ_p∂θ_q + constraint terms,
 * where the cell derivatives follow from the product rule over its terms.
 */
export class LikelihoodEvaluator {
  readonly #model: HistFactoryModel;
  /** The model's compiled cells and constraint terms (its `@internal` kernel fields). */
  readonly #k: HistFactoryModel;
  declare readonly main: Float64Array;
  readonly #aux: Float64Array;
  /** Σ log n_b! + Σ_Poisson-aux log a! + Σ_Gauss-aux log(√(2π) σ). */
  readonly #constant: number;
  readonly #lambda: Float64Array;
  readonly #cellB: Float64Array;
  readonly #cellP: Float64Array;
  readonly #cellZeros: Int32Array;
  readonly #fv: Float64Array;
  readonly #dv: Float64Array;
  readonly #others: Float64Array;
  readonly #w: Float64Array;
  readonly #jrow: Float64Array;
  readonly #touched: Int32Array;
  readonly #mark: Uint8Array;
  /** Per factor of the current cell: F'_u Π_{v≠u} F_v. */
  readonly #factorJacobian: Float64Array;
  /** The current bin's Jacobian row, gathered over its touched parameters. */
  readonly #jvalues: Float64Array;
  /** The point of the last {@link evaluateTerms}, and whether λ and the terms still hold it. */
  readonly #termsAt: Float64Array;
  #termsValid = false;

  constructor(model: HistFactoryModel, data: ModelData) {
    this.#model = model;
    this.#k = model;
    if (data.main.length !== model.nMain || data.aux.length !== model.nAux) {
      throw new InvalidInput(`data must have ${model.nMain} main and ${model.nAux} auxiliary entries.`);
    }
    this.main = data.main;
    this.#aux = data.aux;
    // log L = −(constant + Σ deviance terms): each Poisson term is split as
    // λ − n ln λ + ln n! = [λ − n − n ln(λ/n)] + [n − n ln n + ln n!], so that the varying part is
    // small near the optimum and free of the cancellation between λ, n ln λ and ln n! (which would
    // otherwise leave rounding noise of ~1e-11 on NLLs of a few hundred and stall the line search).
    let constant = 0;
    const poissonConstant = (n: number) => (n > 0 ? n - n * ln(n) : 0) + gammaln(n + 1);
    for (let b = 0; b < model.nMain; b++) constant += poissonConstant(data.main[b] as number);
    for (let j = 0; j < model.nAux; j++) {
      constant += this.#k.auxPoisson[j]
        ? poissonConstant(data.aux[j] as number)
        : ln(this.#k.auxScale[j] as number) + HALF_LOG_2PI;
    }
    this.#constant = constant;
    const nTermsF = this.#k.fPar.length;
    const nTermsD = this.#k.dPar.length;
    this.#lambda = zeros(model.nMain);
    this.#cellB = zeros(this.#k.nCells);
    this.#cellP = zeros(this.#k.nCells);
    this.#cellZeros = new Int32Array(this.#k.nCells);
    this.#fv = zeros(3 * nTermsF);
    this.#dv = zeros(3 * nTermsD);
    this.#others = zeros(max(1, this.#k.maxFactorsPerCell));
    this.#w = zeros(model.nMain);
    this.#jrow = zeros(model.nPar);
    this.#touched = new Int32Array(model.nPar);
    this.#mark = new Uint8Array(model.nPar);
    this.#factorJacobian = zeros(max(1, this.#k.maxFactorsPerCell));
    this.#jvalues = zeros(model.nPar);
    this.#termsAt = zeros(model.nPar);
  }

  /** log L(pars), all constants included (pyhf's `logpdf`). */
  logpdf(pars: ArrayLike<number>): number {
    this.#termsValid = false; // λ is overwritten below
    const lambda = this.#model.expectedMain(pars, this.#lambda);
    return -this.#nllFromLambda(pars, lambda);
  }

  #nllFromLambda(pars: ArrayLike<number>, lambda: Float64Array): number {
    const main = this.main;
    let variable = 0;
    for (let b = 0; b < lambda.length; b++) variable += poissonDeviance(main[b] as number, lambda[b] as number);
    const { auxPar, auxPoisson, auxScale } = this.#k;
    const aux = this.#aux;
    for (let j = 0; j < aux.length; j++) {
      const x = pars[auxPar[j] as number] as number;
      const a = aux[j] as number;
      if (auxPoisson[j]) {
        variable += poissonDeviance(a, x * (auxScale[j] as number));
      } else {
        const z = (a - x) / (auxScale[j] as number);
        variable += 0.5 * z * z;
      }
    }
    return this.#constant + variable;
  }

  /**
   * Evaluate every term with its derivatives; fills λ, B_k, P_k and the zero-factor counts. A
   * Newton iteration asks for the gradient and then the Hessian at the same point: when `pars`
   * equals (value for value, signed zeros included) the point of the last evaluation and nothing
   * overwrote λ since, the terms are still there and are not evaluated again.
   */
  #evaluateTerms(pars: ArrayLike<number>): void {
    const termsAt = this.#termsAt;
    if (this.#termsValid) {
      let same = true;
      for (let i = 0; i < termsAt.length; i++) {
        const a = pars[i] as number;
        const b = termsAt[i] as number;
        if (!(a === b && (a !== 0 || 1 / a === 1 / b))) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    const { nCells, cellBin, cellNom, fPtr, fPar, fKind, fCoef, dPtr, dPar, dKind, dCoef } = this.#k;
    const lambda = this.#lambda,
      cellB = this.#cellB,
      cellP = this.#cellP,
      cellZeros = this.#cellZeros,
      fv = this.#fv,
      dv = this.#dv;
    this.#termsValid = false;
    lambda.fill(0);
    for (let k = 0; k < nCells; k++) {
      let base = cellNom[k] as number;
      for (let t = dPtr[k] as number; t < (dPtr[k + 1] as number); t++) {
        evaluateDelta(dKind[t] as number, dCoef, t, pars[dPar[t] as number] as number, dv, 3 * t);
        base += dv[3 * t] as number;
      }
      let product = 1;
      let zeros = 0;
      for (let t = fPtr[k] as number; t < (fPtr[k + 1] as number); t++) {
        evaluateFactor(fKind[t] as number, fCoef, t, pars[fPar[t] as number] as number, fv, 3 * t);
        const f = fv[3 * t] as number;
        if (f === 0) zeros++;
        product *= f;
      }
      cellB[k] = base;
      cellP[k] = product;
      cellZeros[k] = zeros;
      lambda[cellBin[k] as number]! += base * product;
    }
    for (let i = 0; i < termsAt.length; i++) termsAt[i] = pars[i] as number;
    this.#termsValid = true;
  }

  /** Π_{u ≠ t} F_u over the factors of cell k, for each of its factors, into `others`. */
  #productsOfOthers(k: number): void {
    const { fPtr } = this.#k;
    const start = fPtr[k] as number;
    const m = (fPtr[k + 1] as number) - start;
    const others = this.#others,
      fv = this.#fv;
    const zeros = this.#cellZeros[k] as number;
    if (zeros === 0) {
      const p = this.#cellP[k] as number;
      for (let i = 0; i < m; i++) others[i] = p / (fv[3 * (start + i)] as number);
      return;
    }
    for (let i = 0; i < m; i++) {
      if (zeros > 1 || fv[3 * (start + i)] !== 0) {
        others[i] = 0;
        continue;
      }
      let prod = 1;
      for (let u = 0; u < m; u++) if (u !== i) prod *= fv[3 * (start + u)] as number;
      others[i] = prod;
    }
  }

  /** Π_{u ≠ t, s} F_u over the factors of cell k (factor indices relative to the cell). */
  #productOfOthers2(k: number, t: number, s: number): number {
    const start = this.#k.fPtr[k] as number;
    const fv = this.#fv;
    if (this.#cellZeros[k] === 0) {
      return (this.#cellP[k] as number) / ((fv[3 * (start + t)] as number) * (fv[3 * (start + s)] as number));
    }
    const m = (this.#k.fPtr[k + 1] as number) - start;
    let prod = 1;
    for (let u = 0; u < m; u++) if (u !== t && u !== s) prod *= fv[3 * (start + u)] as number;
    return prod;
  }

  /** −log L(pars); with `grad`, also ∂(−log L)/∂pars written into it. */
  nll(pars: ArrayLike<number>, grad?: Float64Array): number {
    if (!grad) {
      this.#termsValid = false; // λ is overwritten below
      const lambda = this.#model.expectedMain(pars, this.#lambda);
      return this.#nllFromLambda(pars, lambda);
    }
    this.#evaluateTerms(pars);
    const value = this.#nllFromLambda(pars, this.#lambda);
    grad.fill(0);
    const { auxPar, auxPoisson, auxScale } = this.#k;
    const { main } = this,
      lambda = this.#lambda,
      w = this.#w;
    for (let b = 0; b < w.length; b++) {
      const n = main[b] as number;
      w[b] = n === 0 ? 1 : 1 - n / (lambda[b] as number);
    }
    this.#accumulateJacobianTransposed(w, grad);
    const aux = this.#aux;
    for (let j = 0; j < aux.length; j++) {
      const i = auxPar[j] as number;
      const x = pars[i] as number;
      const a = aux[j] as number;
      const s = auxScale[j] as number;
      grad[i]! += auxPoisson[j] ? s - (a === 0 ? 0 : a / x) : (x - a) / (s * s);
    }
    return value;
  }

  /** grad += Σ_b w_b ∂λ_b/∂θ, from the terms evaluated by {@link evaluateTerms}. */
  #accumulateJacobianTransposed(w: Float64Array, grad: Float64Array): void {
    const { nCells, cellBin, fPtr, fPar, dPtr, dPar } = this.#k;
    const others = this.#others,
      cellB = this.#cellB,
      cellP = this.#cellP,
      fv = this.#fv,
      dv = this.#dv;
    for (let k = 0; k < nCells; k++) {
      const wk = w[cellBin[k] as number] as number;
      if (wk === 0) continue;
      const p = cellP[k] as number;
      for (let t = dPtr[k] as number; t < (dPtr[k + 1] as number); t++) {
        grad[dPar[t] as number]! += wk * p * (dv[3 * t + 1] as number);
      }
      const start = fPtr[k] as number;
      const end = fPtr[k + 1] as number;
      if (end === start) continue;
      this.#productsOfOthers(k);
      const wb = wk * (cellB[k] as number);
      for (let t = start; t < end; t++) {
        grad[fPar[t] as number]! += wb * (fv[3 * t + 1] as number) * (others[t - start] as number);
      }
    }
  }

  /**
   * Infeasibility of `pars` for the main data: Σ over bins with n_b > 0 of min(λ_b − ε_b, 0)², with
   * ε_b = 1e-9 · max(1, n_b); zero exactly when every such bin has a positive expectation (so that
   * log L is finite). With `grad`, its gradient is written into it.
   */
  infeasibility(pars: ArrayLike<number>, grad?: Float64Array): number {
    this.#evaluateTerms(pars);
    const { main } = this,
      lambda = this.#lambda,
      w = this.#w;
    let value = 0;
    for (let b = 0; b < lambda.length; b++) {
      const n = main[b] as number;
      const gap = n > 0 ? min((lambda[b] as number) - 1e-9 * max(1, n), 0) : 0;
      value += gap * gap;
      w[b] = 2 * gap;
    }
    if (grad) {
      grad.fill(0);
      this.#accumulateJacobianTransposed(w, grad);
    }
    return value;
  }

  /**
   * The expected (Fisher) information at `pars` in factored form, I = Vᵀ V + diag(d) (the matrix
   * {@link nllHessian} gives with `expected`): row b of V (row-major nMain × nPar) is
   * ∂λ_b/∂θ / √λ_b (zero where λ_b ≤ 0), d the constraint terms (1/σ² Gaussian, τ/γ Poisson).
   * Costs one pass over the cells, no n×n work (see fisher.ts).
   */
  fisherFactors(pars: ArrayLike<number>, v: Float64Array, d: Float64Array): void {
    const P = this.#model.nPar;
    this.#evaluateTerms(pars);
    const { fPtr, fPar, dPtr, dPar, binPtr, binCells, auxPar, auxPoisson, auxScale } = this.#k;
    const others = this.#others,
      lambda = this.#lambda,
      cellB = this.#cellB,
      cellP = this.#cellP,
      fv = this.#fv,
      dv = this.#dv;
    v.fill(0, 0, lambda.length * P);
    for (let b = 0; b < lambda.length; b++) {
      const l = lambda[b] as number;
      if (!(l > 0)) continue;
      const scale = 1 / sqrt(l);
      const row = b * P;
      for (let c = binPtr[b] as number; c < (binPtr[b + 1] as number); c++) {
        const k = binCells[c] as number;
        const base = (cellB[k] as number) * scale;
        const prod = (cellP[k] as number) * scale;
        const fs = fPtr[k] as number;
        const fe = fPtr[k + 1] as number;
        for (let t = dPtr[k] as number; t < (dPtr[k + 1] as number); t++) {
          v[row + (dPar[t] as number)]! += prod * (dv[3 * t + 1] as number);
        }
        if (fe === fs) continue;
        this.#productsOfOthers(k);
        for (let t = fs; t < fe; t++) {
          v[row + (fPar[t] as number)]! += base * (fv[3 * t + 1] as number) * (others[t - fs] as number);
        }
      }
    }
    d.fill(0, 0, P);
    const aux = this.#aux;
    for (let j = 0; j < aux.length; j++) {
      const i = auxPar[j] as number;
      const s = auxScale[j] as number;
      d[i]! += auxPoisson[j] ? s / (pars[i] as number) : 1 / (s * s);
    }
  }

  /**
   * Hessian of −log L at `pars`, row-major nPar × nPar. With `expected`, the expected (Fisher)
   * information instead: the data replaced by their expectation at `pars`, i.e.
   * Σ_b ∂λ_b∂λ_bᵀ/λ_b + Σ_Gauss 1/σ² + Σ_Poisson τ/γ — positive semi-definite everywhere.
   */
  nllHessian(
    pars: ArrayLike<number>,
    out: Float64Array = zeros(this.#model.nPar * this.#model.nPar),
    expected = false,
  ): Float64Array {
    const P = this.#model.nPar;
    out.fill(0);
    this.#evaluateTerms(pars);
    const { fPtr, fPar, dPtr, dPar, binPtr, binCells, auxPar, auxPoisson, auxScale } = this.#k;
    const { main } = this,
      others = this.#others,
      lambda = this.#lambda,
      cellB = this.#cellB,
      cellP = this.#cellP,
      cellZeros = this.#cellZeros,
      fv = this.#fv,
      dv = this.#dv,
      jrow = this.#jrow,
      touched = this.#touched,
      mark = this.#mark,
      factorJacobian = this.#factorJacobian,
      jvalues = this.#jvalues;
    for (let b = 0; b < lambda.length; b++) {
      const n = main[b] as number;
      const l = lambda[b] as number;
      const wb = expected ? 0 : n === 0 ? 1 : 1 - n / l;
      const curvature = expected ? (l > 0 ? 1 / l : 0) : n === 0 ? 0 : n / (l * l);
      let nTouched = 0;
      for (let c = binPtr[b] as number; c < (binPtr[b + 1] as number); c++) {
        const k = binCells[c] as number;
        const base = cellB[k] as number;
        const prod = cellP[k] as number;
        const fs = fPtr[k] as number;
        const fe = fPtr[k + 1] as number;
        const ds = dPtr[k] as number;
        const de = dPtr[k + 1] as number;
        if (fe > fs) this.#productsOfOthers(k);
        // First derivatives of the cell into the bin's Jacobian row.
        for (let t = ds; t < de; t++) {
          const p = dPar[t] as number;
          if (!mark[p]) {
            mark[p] = 1;
            touched[nTouched++] = p;
          }
          jrow[p]! += prod * (dv[3 * t + 1] as number);
        }
        for (let t = fs; t < fe; t++) {
          const p = fPar[t] as number;
          if (!mark[p]) {
            mark[p] = 1;
            touched[nTouched++] = p;
          }
          jrow[p]! += base * (fv[3 * t + 1] as number) * (others[t - fs] as number);
        }
        if (wb === 0) continue;
        // Second derivatives of the cell c = B·P (B = ν⁰ + ΣΔ, P = ΠF), weighted by w_b: with
        // j_u = F'_u Π_{v≠u} F_v (the factor's part of ∂P),
        //   ∂²c/∂θ_p∂θ_q = [Δ''_p P + B F''_p Π_{v≠p} F_v] δ_pq + Δ'_p j_q + B F'_p F'_q Π_{v≠p,q} F_v,
        // and without a vanishing factor the last term is B j_p j_q / P: one multiply-add per pair
        // (with one, the products of the others are formed explicitly).
        const m = fe - fs;
        const plain = cellZeros[k] === 0 && prod !== 0;
        for (let u = 0; u < m; u++) factorJacobian[u] = (fv[3 * (fs + u) + 1] as number) * (others[u] as number);
        for (let t = ds; t < de; t++) {
          const p = dPar[t] as number;
          const d2 = dv[3 * t + 2] as number;
          if (d2 !== 0) out[p * P + p]! += 2 * wb * d2 * prod; // diagonal: counted twice, halved at the end
          const d1 = dv[3 * t + 1] as number;
          if (d1 === 0) continue;
          // Off-diagonal terms go into one triangle only (the two are summed at the end), diagonal
          // ones twice (the diagonal is halved at the end).
          const row = p * P;
          const scale = wb * d1;
          for (let u = 0; u < m; u++) {
            const q = fPar[fs + u] as number;
            out[row + q]! += scale * (factorJacobian[u] as number) * (p === q ? 4 : 1);
          }
        }
        for (let t = fs; t < fe; t++) {
          const p = fPar[t] as number;
          const f2 = fv[3 * t + 2] as number;
          if (f2 !== 0) out[p * P + p]! += 2 * wb * base * f2 * (others[t - fs] as number);
          const f1 = fv[3 * t + 1] as number;
          if (f1 === 0) continue;
          const row = p * P;
          if (plain) {
            const scale = (wb * base * (factorJacobian[t - fs] as number)) / prod;
            for (let u = t + 1 - fs; u < m; u++) {
              const q = fPar[fs + u] as number;
              out[row + q]! += scale * (factorJacobian[u] as number) * (p === q ? 4 : 1);
            }
            continue;
          }
          for (let u = t + 1; u < fe; u++) {
            const g1 = fv[3 * u + 1] as number;
            if (g1 === 0) continue;
            const q = fPar[u] as number;
            out[row + q]! += wb * base * f1 * g1 * this.#productOfOthers2(k, t - fs, u - fs) * (p === q ? 4 : 1);
          }
        }
      }
      // Poisson curvature n/λ² ∂λ∂λᵀ on the touched parameters: each pair once (one triangle; the
      // diagonal counts twice since the two triangles are summed at the end). The row values are
      // gathered first so that the inner loop reads them contiguously.
      for (let x = 0; x < nTouched; x++) jvalues[x] = jrow[touched[x] as number] as number;
      for (let x = 0; x < nTouched; x++) {
        const p = touched[x] as number;
        const jp = curvature * (jvalues[x] as number);
        if (jp !== 0) {
          const row = p * P;
          for (let y = 0; y < x; y++) out[row + (touched[y] as number)]! += jp * (jvalues[y] as number);
          out[row + p]! += 2 * jp * (jvalues[x] as number);
        }
      }
      for (let x = 0; x < nTouched; x++) {
        const p = touched[x] as number;
        jrow[p] = 0;
        mark[p] = 0;
      }
    }
    // Every term so far went into one triangle (diagonal terms twice): sum the two triangles,
    // which also makes the matrix exactly symmetric.
    for (let p = 0; p < P; p++) {
      out[p * P + p] = 0.5 * (out[p * P + p] as number);
      for (let q = p + 1; q < P; q++) {
        const v = (out[p * P + q] as number) + (out[q * P + p] as number);
        out[p * P + q] = v;
        out[q * P + p] = v;
      }
    }
    const aux = this.#aux;
    for (let j = 0; j < aux.length; j++) {
      const i = auxPar[j] as number;
      const s = auxScale[j] as number;
      if (auxPoisson[j]) {
        const x = pars[i] as number;
        out[i * P + i]! += expected ? s / x : (aux[j] as number) / (x * x);
      } else {
        out[i * P + i]! += 1 / (s * s);
      }
    }
    return out;
  }
}
