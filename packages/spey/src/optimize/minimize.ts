/**
 * Bounded minimiser for smooth negative log-likelihoods (box bounds, some parameters fixed).
 *
 * Two projected methods share one driver:
 *
 * - **Projected Newton** (when a Hessian is supplied): D. P. Bertsekas, "Projected Newton methods
 *   for optimization problems with simple constraints", SIAM J. Control Optim. 20 (1982) 221–246.
 *   At each iterate the ε-active set I⁺ = {i : x_i ≤ l_i + ε_k, ∂_i f > 0} ∪ {i : x_i ≥ u_i − ε_k,
 *   ∂_i f < 0} with ε_k = min(ε, ‖x − P(x − ∇f)‖∞) is split off; on the remaining free variables F
 *   the step is the Newton step d_F = −H_FF⁻¹ ∇_F f (when H_FF is not positive definite a
 *   Levenberg-style shift τI is added until its Cholesky factorisation succeeds, Nocedal & Wright,
 *   "Numerical Optimization", 2nd ed., Alg. 3.3), and on I⁺ a diagonally scaled gradient step
 *   d_i = −∂_i f / H_ii. The step length is chosen by Armijo backtracking along the projection arc
 *   x(α) = P(x + α d), starting from the full step α = 1 (so the local convergence is quadratic),
 *   with Bertsekas' sufficient-decrease test:
 *     f(x) − f(x(α)) ≥ σ [ −α Σ_{i∈F} ∂_i f · d_i + Σ_{i∈I⁺} ∂_i f · (x_i − x_i(α)) ].
 * - **Projected BFGS** (no Hessian): the same iteration with H_FF⁻¹ replaced by a quasi-Newton
 *   approximation. A dense BFGS inverse-Hessian approximation H is kept over *all* non-fixed
 *   parameters (Nocedal & Wright §6.1, eq. (6.17); initial H₀ = I as in scipy's BFGS/SLSQP) and
 *   reduced to the inactive set F each iteration by a Schur complement,
 *   (B_FF)⁻¹ = H_FF − H_FA H_AA⁻¹ H_AF, so no curvature information is thrown away when the
 *   active set changes (a plain reset on every change — Kelley, "Iterative Methods for
 *   Optimization", SIAM 1999, §5.5.3 — was measured to stall when a variable near a bound toggles
 *   in and out of I⁺). Updates are skipped unless yᵀs > 1e-10·‖y‖‖s‖, and H restarts from I after
 *   a failed line search.
 *
 * If the line search along the (quasi-)Newton direction fails, one retry is made along the scaled
 * projected-gradient direction (all variables treated as active, i.e. Bertsekas' method with
 * I⁺ = all), which is a descent direction whenever the projected gradient is non-zero.
 *
 * Non-finite objective values at trial points count as +∞ (the line search backtracks). Near the
 * minimum, where f can no longer be resolved in floating point, a full step is also accepted when
 * f rises by no more than rounding noise and the projected gradient shrinks: this lets Newton
 * polish the gradient to ~1e-12 instead of stalling on f's last bits.
 *
 * Files: this driver (iteration, active set, stopping rules), `problem-setup.ts` (validation),
 * `search-direction.ts` (Newton and BFGS directions), `line-search.ts` (projected Armijo search),
 * `projection.ts` and `finite-difference.ts` (helpers).
 */
import { ConvergenceError, InvalidInput } from "../core/errors.js";
import { finiteDifferenceGradient } from "./finite-difference.js";
import { NOISE_ULPS, projectedArmijoSearch } from "./line-search.js";
import { NewtonCgDirection } from "./newton-cg.js";
import { prepareProblem } from "./problem-setup.js";
import { allFinite, projectedGradientNorm } from "./projection.js";
import { BfgsDirection, NewtonDirection, type SearchDirection } from "./search-direction.js";
import type { MinimizeOptions, MinimizeProblem, MinimizeResult } from "./types.js";
import { isFiniteNumber, abs, max, min, sqrt } from "../core/describe.js";
import { zeros } from "../core/arrays.js";

export type { HessianOf, MinimizeOptions, MinimizeProblem, MinimizeResult, Objective } from "./types.js";

/** Bertsekas' ε: the width of the band near a bound in which a variable may be declared active. */
const ACTIVE_EPSILON = 1e-3;
/**
 * When the line search cannot decrease f any more (rounding floor) the run still counts as
 * converged if the projected gradient is within this factor of the gradient tolerance.
 */
const RELAXED_GRADIENT_FACTOR = 1e3;

function fmt(v: number): string {
  return v.toExponential(3);
}

/**
 * Minimise `problem.objective` subject to lower ≤ x ≤ upper with some parameters fixed, by
 * projected Newton (a Hessian is given) or projected BFGS (see the module comment).
 *
 * Throws {@link InvalidInput} for inconsistent lengths, NaN or crossed bounds, a non-finite x0, or
 * a non-finite objective/gradient at x0. Never throws for non-convergence: the result then has
 * `converged: false` and a message saying why, with the best point found.
 */
export function minimize(problem: MinimizeProblem, options: MinimizeOptions = {}): MinimizeResult {
  const { objective } = problem;
  const prepared = prepareProblem(problem, options);
  const { n, lo, hi, free, maxIterations, useNewton, analytic } = prepared;
  const gtol = prepared.gradientTolerance;
  const ftol = prepared.functionTolerance;
  const nFree = free.length;
  let x: Float64Array = prepared.x;

  let functionCalls = 0;
  let g: Float64Array = zeros(n);
  let f: number;
  if (analytic) {
    f = objective(x, g);
    functionCalls++;
  } else {
    f = objective(x);
    functionCalls++;
  }
  if (!isFiniteNumber(f)) {
    throw new InvalidInput(
      `minimize: the objective is not finite at the start point x0 (f = ${f}); x0 must lie where the NLL is finite`,
    );
  }
  if (!analytic) functionCalls += finiteDifferenceGradient(objective, x, f, g, lo, hi, free);
  if (!allFinite(g, free)) {
    throw new InvalidInput("minimize: the gradient is not finite at the start point x0");
  }
  let pgNorm = projectedGradientNorm(x, g, lo, hi, free);

  if (nFree === 0) {
    return {
      x,
      fun: f,
      converged: true,
      iterations: 0,
      functionCalls,
      message: "no free parameters",
      projectedGradientNorm: 0,
    };
  }

  // ---- work buffers (allocated once per call) ------------------------------------------------
  let xTrial: Float64Array = new Float64Array(x); // fixed entries are copied once and never touched again
  let gTrial: Float64Array = zeros(n);
  const d = zeros(n); // search direction (free indices only)
  const active = new Uint8Array(n); // 1 when in Bertsekas' ε-active set I⁺
  const freeSub = new Int32Array(nFree); // F: free, non-active indices
  const diagScale = zeros(n); // D_ii for the scaled gradient step on I⁺
  const direction: SearchDirection = !useNewton
    ? new BfgsDirection(free)
    : problem.hessianOperator
      ? new NewtonCgDirection(problem.hessianOperator, n, free)
      : new NewtonDirection(problem.hessian!, n, free, problem.shiftStart, problem.hessianFactoriser);
  let nSub = 0;

  let iterations = 0;
  let smallChangeStreak = 0;
  let converged = false;
  let message = "";

  for (;;) {
    const fScale = max(1, abs(f));
    const gTolAbs = gtol * sqrt(fScale);
    if (pgNorm <= gTolAbs) {
      converged = true;
      message = `converged: projected gradient norm ${fmt(pgNorm)} ≤ ${fmt(gTolAbs)}`;
      break;
    }
    if (smallChangeStreak >= 2) {
      converged = true;
      message = `converged: relative change of f ≤ ${fmt(ftol)} with a negligible step on two consecutive iterations (projected gradient norm ${fmt(pgNorm)})`;
      break;
    }
    if (iterations >= maxIterations) {
      message = `maximum number of iterations (${maxIterations}) reached; projected gradient norm ${fmt(pgNorm)} > ${fmt(gTolAbs)}`;
      break;
    }
    iterations++;

    // ---- ε-active set (Bertsekas 1982) -------------------------------------------------------
    const epsK = min(ACTIVE_EPSILON, pgNorm);
    nSub = 0;
    for (let k = 0; k < nFree; k++) {
      const i = free[k]!;
      const gi = g[i]!;
      const xi = x[i]!;
      const isActive = (gi > 0 && xi <= lo[i]! + epsK) || (gi < 0 && xi >= hi[i]! - epsK) ? 1 : 0;
      active[i] = isActive;
      if (isActive === 0) freeSub[nSub++] = i;
    }

    // ---- search direction ---------------------------------------------------------------------
    // e.g. non-finite Hessian entries: fall back to the scaled gradient
    let steepest = !direction.compute(x, g, active, freeSub, nSub, d, diagScale);
    for (let k = 0; k < nFree; k++) {
      const i = free[k]!;
      if (active[i] === 1) d[i] = -g[i]! * diagScale[i]!;
    }

    // ---- projected Armijo line search (one retry along the scaled projected gradient) --------
    let accepted = false;
    let fTrial = Number.NaN;
    let newtonDecrement = Number.POSITIVE_INFINITY; // λ² = gᵀH⁻¹g of the Newton direction
    for (let attempt = 0; attempt < 2 && !accepted; attempt++) {
      if (attempt === 1) {
        if (steepest) break; // already tried the gradient direction
        steepest = true;
      }
      if (steepest) {
        for (let k = 0; k < nFree; k++) {
          const i = free[k]!;
          d[i] = -g[i]! * diagScale[i]!;
          active[i] = 1; // Bertsekas with I⁺ = all free variables: plain projected gradient
        }
        direction.reset();
      }
      let slope = 0; // Σ_{i∈F} ∂_i f · d_i
      let dMax = 0;
      for (let k = 0; k < nFree; k++) {
        const i = free[k]!;
        if (active[i] === 0) slope += g[i]! * d[i]!;
        dMax = max(dMax, abs(d[i]!));
      }
      if (useNewton && !steepest) newtonDecrement = -slope;
      if (!(slope <= 0) || !isFiniteNumber(dMax)) {
        // Not a descent direction (cannot happen with a positive-definite matrix unless
        // rounding intervenes): go straight to the gradient retry.
        continue;
      }
      let alpha = 1;
      if (problem.maxStep) {
        const limit = problem.maxStep(x, d);
        if (limit > 0 && limit < 1) alpha = limit;
      }
      const search = projectedArmijoSearch({
        objective,
        analytic,
        x,
        g,
        f,
        fScale,
        pgNorm,
        d,
        active,
        free,
        lo,
        hi,
        slope,
        alpha,
        xTrial,
        gTrial,
      });
      functionCalls += search.calls;
      fTrial = search.fTrial;
      accepted = search.accepted;
    }

    if (!accepted) {
      const gTolNow = gtol * sqrt(max(1, abs(f)));
      const relaxed = RELAXED_GRADIENT_FACTOR * gTolNow;
      // For an ill-conditioned Hessian the gradient's rounding error can exceed any gradient
      // tolerance while the Newton decrement λ² ≈ 2(f − f*) shows f within ~1e-10·|f| of its
      // minimum, far below every tolerance of the likelihood (NLLs matter to ~1e-8).
      const decrementFloor = 1e4 * NOISE_ULPS * max(1, abs(f));
      if (pgNorm <= relaxed) {
        converged = true;
        message = `converged: f cannot be decreased further at floating-point precision; projected gradient norm ${fmt(pgNorm)} ≤ ${fmt(relaxed)} (relaxed tolerance)`;
      } else if (newtonDecrement <= decrementFloor) {
        converged = true;
        message = `converged: Newton decrement ${fmt(newtonDecrement)} ≤ ${fmt(decrementFloor)} (f is minimal to its rounding noise; projected gradient norm ${fmt(pgNorm)})`;
      } else {
        message = `line search failed to decrease f; projected gradient norm ${fmt(pgNorm)} > ${fmt(gTolNow)} (Newton decrement ${fmt(newtonDecrement)})`;
      }
      break; // x, f, g still describe the last accepted point
    }

    // ---- accept: x ← x(α) ---------------------------------------------------------------------
    let stepMax = 0;
    let xMax = 0;
    for (let k = 0; k < nFree; k++) {
      const i = free[k]!;
      stepMax = max(stepMax, abs(xTrial[i]! - x[i]!));
      xMax = max(xMax, abs(xTrial[i]!));
    }
    const df = f - fTrial;
    if (!analytic) {
      functionCalls += finiteDifferenceGradient(objective, xTrial, fTrial, gTrial, lo, hi, free);
      if (!allFinite(gTrial, free)) {
        message = "finite-difference gradient is not finite at the accepted point; stopping";
        break;
      }
    }
    if (!steepest) direction.update(x, xTrial, g, gTrial);

    // Swap buffers x ↔ xTrial, g ↔ gTrial (the next line search overwrites every free entry of
    // xTrial; fixed entries are identical in both).
    const tx = x;
    x = xTrial;
    xTrial = tx;
    const tg = g;
    g = gTrial;
    gTrial = tg;
    f = fTrial;
    pgNorm = projectedGradientNorm(x, g, lo, hi, free);

    const tinyF = abs(df) <= ftol * max(1, abs(f));
    const tinyStep = stepMax <= sqrt(ftol) * max(1, xMax);
    smallChangeStreak = tinyF && tinyStep ? smallChangeStreak + 1 : 0;
  }

  return { x, fun: f, converged, iterations, functionCalls, message, projectedGradientNorm: pgNorm };
}

/**
 * {@link minimize}, but throws {@link ConvergenceError} (carrying the message) when the run did
 * not converge. Convenience for callers that cannot use a non-converged fit.
 */
export function minimizeOrThrow(problem: MinimizeProblem, options?: MinimizeOptions): MinimizeResult {
  const result = minimize(problem, options);
  if (!result.converged) {
    throw new ConvergenceError(`minimize did not converge: ${result.message}`);
  }
  return result;
}
