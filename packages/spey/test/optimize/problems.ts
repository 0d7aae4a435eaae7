/**
 * Test problems shared by the optimiser tests: a Poisson NLL with Gaussian-constrained nuisances
 * (the shape of spey's uncorrelated-background likelihood) and Rosenbrock's function.
 */
import type { HessianOf, Objective } from "../../src/optimize/types.js";

export interface PoissonModel {
  signal: number[];
  background: number[];
  observed: number[];
  sigma: number[];
}

/** The two-bin model of the brief: s = [12, 15], b = [50, 48], n = [36, 33], σ = [12, 16]. */
export const twoBin: PoissonModel = {
  signal: [12, 15],
  background: [50, 48],
  observed: [36, 33],
  sigma: [12, 16],
};

/**
 * NLL(μ, θ) = Σ_i [λ_i − n_i log λ_i] + Σ_i θ_i²/2 with λ_i = μ s_i + b_i + σ_i θ_i; parameters
 * x = [μ, θ_1, …, θ_B]. Returns NaN when some λ_i ≤ 0 (outside the model's domain).
 */
export function poissonObjective(m: PoissonModel): Objective {
  const nb = m.signal.length;
  const s = Float64Array.from(m.signal);
  const b = Float64Array.from(m.background);
  const n = Float64Array.from(m.observed);
  const sig = Float64Array.from(m.sigma);
  return (x, grad) => {
    const mu = x[0]!;
    let f = 0;
    let gmu = 0;
    for (let i = 0; i < nb; i++) {
      const t = x[i + 1]!;
      const lam = mu * s[i]! + b[i]! + sig[i]! * t;
      if (!(lam > 0)) return Number.NaN;
      f += lam - n[i]! * Math.log(lam) + 0.5 * t * t;
      if (grad) {
        const r = 1 - n[i]! / lam;
        gmu += s[i]! * r;
        grad[i + 1] = sig[i]! * r + t;
      }
    }
    if (grad) grad[0] = gmu;
    return f;
  };
}

/** Analytic Hessian of {@link poissonObjective}. */
export function poissonHessian(m: PoissonModel): HessianOf {
  const nb = m.signal.length;
  const dim = nb + 1;
  return (x) => {
    const h = new Float64Array(dim * dim);
    const mu = x[0]!;
    for (let i = 0; i < nb; i++) {
      const s = m.signal[i]!;
      const sig = m.sigma[i]!;
      const t = x[i + 1]!;
      const lam = mu * s + m.background[i]! + sig * t;
      const w = m.observed[i]! / (lam * lam);
      h[0] = h[0]! + s * s * w;
      h[i + 1] = s * sig * w;
      h[(i + 1) * dim] = s * sig * w;
      h[(i + 1) * dim + i + 1] = sig * sig * w + 1;
    }
    return h;
  };
}

/** Deterministic many-bin model (no RNG): B bins, parameters μ and B nuisances. */
export function manyBin(bins: number): PoissonModel {
  const m: PoissonModel = { signal: [], background: [], observed: [], sigma: [] };
  for (let i = 0; i < bins; i++) {
    const b = 20 + 80 * Math.abs(Math.sin(1.3 * i + 0.2));
    const s = 2 + 10 * Math.abs(Math.cos(0.7 * i));
    m.background.push(b);
    m.signal.push(s);
    m.sigma.push(0.05 * b + 1);
    // Observed counts scattered around b + 0.5 s, rounded to integers.
    m.observed.push(Math.round(b + 0.5 * s + 0.8 * Math.sqrt(b) * Math.sin(2.9 * i + 1)));
  }
  return m;
}

/** Rosenbrock's function Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², with gradient. */
export const rosenbrock: Objective = (x, grad) => {
  const n = x.length;
  let f = 0;
  if (grad) grad.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const c = 1 - x[i]!;
    f += 100 * a * a + c * c;
    if (grad) {
      grad[i] = grad[i]! - 400 * x[i]! * a - 2 * c;
      grad[i + 1] = grad[i + 1]! + 200 * a;
    }
  }
  return f;
};

/** Hessian of {@link rosenbrock}. */
export const rosenbrockHessian: HessianOf = (x) => {
  const n = x.length;
  const h = new Float64Array(n * n);
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]!;
    h[i * n + i] = h[i * n + i]! + 1200 * xi * xi - 400 * x[i + 1]! + 2;
    h[i * n + i + 1] = h[i * n + i + 1]! - 400 * xi;
    h[(i + 1) * n + i] = h[(i + 1) * n + i]! - 400 * xi;
    h[(i + 1) * n + i + 1] = h[(i + 1) * n + i + 1]! + 200;
  }
  return h;
};
