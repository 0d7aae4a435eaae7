import { validateCovariance } from "../../math/covariance.js";
import { VERSION } from "../../core/version.js";
import { LinearBackground } from "./backgrounds.js";
import { GaussianBlock } from "./constraints.js";
import { correlationFromCovariance, type MatrixInput, readSquareMatrix } from "./helpers.js";
import { InvalidInput } from "../../core/errors.js";
import { checkPoissonScale } from "../inputs.js";
import {
  parseCommonInputs,
  type SimplifiedLikelihoodArgs,
  SimplifiedLikelihoodBase,
  type SimplifiedModelParts,
} from "./poisson-main.js";
import { zeros } from "../../core/arrays.js";
import { sqrt } from "../../core/describe.js";

/** Arguments of `default.correlated_background`. */
export interface CorrelatedBackgroundArgs extends SimplifiedLikelihoodArgs {
  /** Covariance Σ of the background yields (N×N, symmetric positive definite). */
  readonly covarianceMatrix: MatrixInput;
}

/** Read and validate an N×N covariance; returns the symmetric matrix and its Cholesky factor. */
export function readCovariance(
  matrix: unknown,
  argument: string,
  n: number,
): { matrix: Float64Array; lower: Float64Array } {
  const { data, n: rows } = readSquareMatrix(matrix, argument);
  if (rows !== n) {
    throw new InvalidInput(`${argument} is ${rows}×${rows} but there are ${n} bins; it must be ${n}×${n}.`);
  }
  const validated = validateCovariance(data, n, argument);
  const std = zeros(n);
  for (let i = 0; i < n; i++) std[i] = sqrt(validated.matrix[i * n + i]!);
  checkPoissonScale(std, `√diag(${argument})`);
  return validated;
}

/**
 * `default.correlated_background` (spey's `CorrelatedBackground`): the simplified likelihood of CMS-NOTE-2017-001
 * ("Simplified likelihood for the re-interpretation of public CMS results": Poisson counts whose
 * background shifts are Gaussian with the published covariance), with the shifts written in units
 * of σ as a correlated nuisance vector:
 *
 *   L(μ, θ) = Πᵢ Pois(nᵢ | μsᵢfᵢ + bᵢ + σᵢθᵢ) · MVN(a | θ, ρ),
 *
 * σᵢ = √Σᵢᵢ, ρ = D⁻¹ΣD⁻¹. Σ is validated (symmetrised with a warning when asymmetric, positive
 * definite); ρ⁻¹ and ln|ρ| are computed once from the Cholesky factor of Σ (L_ρ = D⁻¹L_Σ).
 */
export class CorrelatedBackground extends SimplifiedLikelihoodBase {
  static override name = "default.correlated_background";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  /** Per-bin background standard deviations √Σᵢᵢ. */
  declare readonly sigma: Float64Array;

  constructor(args: CorrelatedBackgroundArgs) {
    const parts = CorrelatedBackground.#prepare(args);
    super(parts);
    this.sigma = (parts.backgroundModel as LinearBackground).sigma;
  }

  static #prepare(args: CorrelatedBackgroundArgs): SimplifiedModelParts {
    const common = parseCommonInputs(args, CorrelatedBackground.name);
    const n = common.observed.length;
    const { matrix, lower } = readCovariance(args.covarianceMatrix, "covarianceMatrix", n);
    const { std, rho } = correlationFromCovariance(matrix, n);
    // Cholesky factor of ρ = D⁻¹ΣD⁻¹ is D⁻¹L_Σ.
    const lowerRho = zeros(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) lowerRho[i * n + j] = lower[i * n + j]! / std[i]!;
    return {
      common,
      backgroundModel: new LinearBackground(common.background, std),
      constraint: GaussianBlock.correlated(lowerRho, n, { correlation: rho }),
    };
  }
}
