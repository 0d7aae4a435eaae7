import { validateCovariance } from "../../math/covariance.js";
import { VERSION } from "../../core/version.js";
import { toFiniteVector } from "../inputs.js";
import { QuadraticBackground } from "./backgrounds.js";
import { GaussianBlock } from "./constraints.js";
import { readCovariance } from "./correlated-background.js";
import type { MatrixInput } from "./helpers.js";
import {
  parseCommonInputs,
  type SimplifiedLikelihoodArgs,
  SimplifiedLikelihoodBase,
  type SimplifiedModelParts,
} from "./poisson-main.js";
import { thirdMomentCoefficients, warnThirdMomentViolations } from "./third-moment.js";

/** Arguments of `default.third_moment_expansion`. */
export interface ThirdMomentExpansionArgs extends SimplifiedLikelihoodArgs {
  /** Covariance Σ of the background yields (N×N, symmetric positive definite). */
  readonly covarianceMatrix: MatrixInput;
  /** Diagonal third moments m₃ of the background, one per bin (e.g. from `computeThirdMoments`). */
  readonly thirdMoment: ArrayLike<number>;
}

/**
 * `default.third_moment_expansion` (spey's `ThirdMomentExpansion`): the quadratic simplified likelihood of
 * arXiv:1809.05548 §2,
 *
 *   L(μ, θ) = Πᵢ Pois(nᵢ | μsᵢfᵢ + Aᵢ + Bᵢθᵢ + Cᵢθᵢ²) · MVN(a | θ, ρ′),
 *
 * with A, B, C, ρ′ from {@link thirdMomentExpansion} (background mean b, covariance Σ, third
 * moments m₃). Σ is validated (symmetrised with a warning, positive definite) and ρ′ is built from
 * the validated Σ and must itself be positive definite. Bins violating 8Σᵢᵢ³ ≥ m₃ᵢ² are warned
 * about and get Cᵢ = 0, as in spey. With m₃ = 0 this is `default.correlated_background` up to
 * spey's 1e-5 regularisation of ρ′.
 */
export class ThirdMomentExpansion extends SimplifiedLikelihoodBase {
  static override name = "default.third_moment_expansion";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;
  static override doi: readonly string[] = ["10.1007/JHEP04(2019)064"];
  static override arXiv: readonly string[] = ["1809.05548"];

  /** The expansion coefficients nᵢ(θ) = Aᵢ + Bᵢθᵢ + Cᵢθᵢ². */
  declare readonly A: Float64Array;
  declare readonly B: Float64Array;
  declare readonly C: Float64Array;
  /** ρ′, row-major N×N. */
  declare readonly correlation: Float64Array;

  constructor(args: ThirdMomentExpansionArgs) {
    const { parts, rho } = ThirdMomentExpansion.#prepare(args);
    super(parts);
    const model = parts.backgroundModel as QuadraticBackground;
    this.A = model.A;
    this.B = model.B;
    this.C = model.C;
    this.correlation = rho;
  }

  /**
   * Whether the profile NLL is convex in μ: when ρ′ is diagonal (a diagonal covariance Σ) and μ, θ
   * are the only parameters. Proof: the bins are then independent, p(μ) = Σᵢ min_v [Gᵢ(μsᵢ + v) + gᵢ(v)]
   * with the convex Poisson term Gᵢ(λ) = λ − nᵢ ln λ and gᵢ(v) = min{wᵢ(θ − aᵢ)²/2 : nᵢ(θ) = v, θ
   * feasible} (wᵢ = 1/ρ′ᵢᵢ, aᵢ the auxiliary datum). For nᵢ(θ) = Aᵢ + Bᵢθ + Cᵢθ² the roots of
   * nᵢ(θ) = v are symmetric about the vertex, so the one nearest aᵢ lies on aᵢ's side of it, where
   * nᵢ′ has the sign of nᵢ′(aᵢ); there gᵢ″(v) = wᵢ[nᵢ′ − (θ − aᵢ)nᵢ″]/nᵢ′³ = wᵢ nᵢ′(aᵢ)/nᵢ′(θ)³ ≥ 0,
   * and the v with a feasible root (nᵢ ≥ 0, spey's positivity constraint on both branches) form an
   * interval. Each term is an infimal convolution of convex functions of (μ, v) minimised over v,
   * hence convex in μ (Boyd & Vandenberghe, Convex Optimization §3.2.5); the sum is convex. As for
   * the linear backgrounds, the 1e-20 rate floor is the exact Poisson term wherever λᵢ > 1e-20.
   * Correlated bins couple the branches of different bins (several basins, issue #9): no certificate.
   */
  override profileConvexInPoi(): boolean {
    if (!this.hasExactProfile) return false;
    const n = this.A.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (i !== j && this.correlation[i * n + j] !== 0) return false;
    }
    return true;
  }

  static #prepare(args: ThirdMomentExpansionArgs): { parts: SimplifiedModelParts; rho: Float64Array } {
    const common = parseCommonInputs(args, ThirdMomentExpansion.name);
    const n = common.observed.length;
    const { matrix } = readCovariance(args.covarianceMatrix, "covarianceMatrix", n);
    const m3 = toFiniteVector(args.thirdMoment, "thirdMoment", { allowNegative: true, length: n });
    const coefficients = thirdMomentCoefficients(common.background, matrix, n, m3, true);
    warnThirdMomentViolations(coefficients.violations);
    const rho = coefficients.rho as Float64Array;
    const { lower } = validateCovariance(
      rho,
      n,
      "the correlation matrix ρ′ derived from covarianceMatrix and thirdMoment",
    );
    return {
      parts: {
        common,
        backgroundModel: new QuadraticBackground(coefficients.A, coefficients.B, coefficients.C),
        constraint: GaussianBlock.correlated(lower, n, { correlation: rho }),
      },
      rho,
    };
  }
}
