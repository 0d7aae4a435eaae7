/**
 * Truncated (inexact) Newton directions for problems too large for a dense Hessian: the Newton
 * system H_FF·d_F = −∇_F f on the inactive free variables F is solved by preconditioned conjugate
 * gradients using only Hessian-vector products (line-search Newton–CG, Nocedal & Wright,
 * "Numerical Optimization", 2nd ed., Alg. 7.1, with the forcing sequence
 * ηₖ = min(0.1, √‖∇_F f‖) of eq. (7.3)/Thm 7.2, which keeps the local convergence superlinear).
 * A direction of non-positive curvature stops the iteration (the current iterate, or the
 * preconditioned steepest descent direction at the first step, is returned), so the direction is
 * always a descent direction and the cost is bounded by {@link MAX_CG_ITERATIONS} products. The
 * minimiser's stopping rules (projected gradient) are unchanged, so the optimum is found to the
 * same tolerance as with the dense Newton step; only the path to it differs.
 */
import type { SearchDirection } from "./search-direction.js";
import { isFiniteNumber, min, sqrt } from "../core/describe.js";
import { zeros } from "../core/arrays.js";

/** Upper bound on the conjugate-gradient products per Newton direction. */
export const MAX_CG_ITERATIONS = 200;

/** The Hessian of a large problem, given by products (see {@link ./types.ts} MinimizeProblem.hessianOperator). */
export interface HessianOperator {
  /** Called once per iterate, before the products at that point. */
  prepare(x: Float64Array): void;
  /** out = H·v for full-length vectors (v is zero outside the variables being solved for). */
  apply(v: Float64Array, out: Float64Array): void;
  /** A positive scale of Hᵢᵢ for the diagonally scaled gradient step on active variables. */
  diagonal(i: number): number;
  /** out ≈ H⁻¹·r (symmetric positive definite); identity when absent. */
  precondition?(r: Float64Array, out: Float64Array): void;
  /**
   * A cheaper solver for the whole system H·out = rhs (no variable held at a bound), stopping at
   * the relative residual `forcing` (in its own norm), at `maxIterations`, or at a direction of
   * non-positive curvature (as {@link conjugateGradient}); −1 iterations when not finite.
   */
  solveAll?(
    rhs: Float64Array,
    out: Float64Array,
    forcing: number,
    maxIterations: number,
  ): { iterations: number; negativeCurvature: boolean };
}

/** Work vectors of {@link conjugateGradient} (residual, preconditioned residual, direction, H·direction). */
export interface CgWork {
  readonly r: Float64Array;
  readonly y: Float64Array;
  readonly p: Float64Array;
  readonly hp: Float64Array;
}

/** Work vectors for systems of n variables. */
export function cgWork(n: number): CgWork {
  return { r: zeros(n), y: zeros(n), p: zeros(n), hp: zeros(n) };
}

/** Writes M⁻¹r restricted to F into out (zero elsewhere). */
function applyPreconditioner(op: HessianOperator, r: Float64Array, out: Float64Array, mask: Uint8Array): void {
  if (op.precondition) op.precondition(r, out);
  else out.set(r);
  for (let i = 0; i < out.length; i++) if (mask[i] === 0) out[i] = 0;
}

/**
 * Preconditioned CG for H_FF·z = b_F (F = mask), started from z = 0: at most `maxIterations`
 * products, stopping when ‖r‖₂ ≤ tolerance, or at a direction of non-positive curvature.
 * Returns the iterations used, or −1 when a product was not finite. z holds the iterate
 * (zero outside F); when the first direction already has non-positive curvature, z is the
 * preconditioned right-hand side M⁻¹b (still `negativeCurvature: true`).
 */
export function conjugateGradient(
  op: HessianOperator,
  b: Float64Array,
  mask: Uint8Array,
  z: Float64Array,
  tolerance: number,
  maxIterations: number,
  work: CgWork,
): { iterations: number; negativeCurvature: boolean; residual: number } {
  const n = b.length;
  const { r, y, p, hp } = work;
  z.fill(0);
  let rNorm2 = 0;
  for (let i = 0; i < n; i++) {
    const v = mask[i] === 1 ? b[i]! : 0;
    r[i] = v;
    rNorm2 += v * v;
  }
  if (sqrt(rNorm2) <= tolerance) return { iterations: 0, negativeCurvature: false, residual: sqrt(rNorm2) };
  applyPreconditioner(op, r, y, mask);
  let ry = 0;
  for (let i = 0; i < n; i++) ry += r[i]! * y[i]!;
  p.set(y);
  for (let it = 0; it < maxIterations; it++) {
    op.apply(p, hp);
    let pHp = 0;
    for (let i = 0; i < n; i++) if (mask[i] === 1) pHp += p[i]! * hp[i]!;
    if (!isFiniteNumber(pHp)) return { iterations: -1, negativeCurvature: false, residual: Number.NaN };
    if (!(pHp > 0)) {
      if (it === 0) z.set(y);
      return { iterations: it, negativeCurvature: true, residual: sqrt(rNorm2) };
    }
    const alpha = ry / pHp;
    rNorm2 = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) continue;
      z[i]! += alpha * p[i]!;
      const ri = r[i]! - alpha * hp[i]!;
      r[i] = ri;
      rNorm2 += ri * ri;
    }
    if (sqrt(rNorm2) <= tolerance) {
      return { iterations: it + 1, negativeCurvature: false, residual: sqrt(rNorm2) };
    }
    applyPreconditioner(op, r, y, mask);
    let ryNew = 0;
    for (let i = 0; i < n; i++) ryNew += r[i]! * y[i]!;
    const beta = ryNew / ry;
    ry = ryNew;
    for (let i = 0; i < n; i++) p[i] = y[i]! + beta * p[i]!;
  }
  return { iterations: maxIterations, negativeCurvature: false, residual: sqrt(rNorm2) };
}

/** Projected Newton with the Newton system solved by truncated CG (see the module comment). */
export class NewtonCgDirection implements SearchDirection {
  readonly #mask: Uint8Array;
  readonly #rhs: Float64Array;
  readonly #z: Float64Array;
  readonly #work: CgWork;

  readonly #operator: HessianOperator;
  readonly #free: Int32Array;
  constructor(operator: HessianOperator, n: number, free: Int32Array) {
    this.#operator = operator;
    this.#free = free;
    this.#mask = new Uint8Array(n);
    this.#rhs = zeros(n);
    this.#z = zeros(n);
    this.#work = cgWork(n);
  }

  compute(
    x: Float64Array,
    g: Float64Array,
    _active: Uint8Array,
    freeSub: Int32Array,
    nSub: number,
    d: Float64Array,
    diagScale: Float64Array,
  ): boolean {
    const op = this.#operator;
    op.prepare(x);
    for (let k = 0; k < this.#free.length; k++) {
      const i = this.#free[k]!;
      const h = op.diagonal(i);
      diagScale[i] = h > 0 && isFiniteNumber(h) ? 1 / h : 1;
    }
    const mask = this.#mask,
      rhs = this.#rhs,
      z = this.#z;
    mask.fill(0);
    let gNorm2 = 0;
    for (let a = 0; a < nSub; a++) {
      const i = freeSub[a]!;
      mask[i] = 1;
      rhs[i] = -g[i]!;
      gNorm2 += g[i]! * g[i]!;
    }
    if (nSub === 0) return true;
    const gNorm = sqrt(gNorm2);
    if (!isFiniteNumber(gNorm)) return false;
    const forcing = min(0.1, sqrt(gNorm));
    const maxIterations = min(MAX_CG_ITERATIONS, nSub + 5);
    const result =
      op.solveAll && nSub === rhs.length
        ? op.solveAll(rhs, z, forcing, maxIterations)
        : conjugateGradient(op, rhs, mask, z, forcing * gNorm, maxIterations, this.#work);
    if (result.iterations < 0) return false;
    for (let a = 0; a < nSub; a++) {
      const i = freeSub[a]!;
      d[i] = z[i]!;
    }
    return true;
  }

  reset(): void {}

  update(): void {}
}
