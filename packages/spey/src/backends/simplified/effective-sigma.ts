import { InvalidInput } from "../../core/errors.js";
import { logWarning } from "../../core/logger.js";
import { VERSION } from "../../core/version.js";
import { checkPoissonScale } from "../inputs.js";
import { EffectiveSigmaBackground } from "./backgrounds.js";
import { GaussianBlock } from "./constraints.js";
import { readCovariance } from "./correlated-background.js";
import type { MatrixInput } from "./helpers.js";
import {
  parseCommonInputs,
  type SimplifiedLikelihoodArgs,
  SimplifiedLikelihoodBase,
  type SimplifiedModelParts,
} from "./poisson-main.js";
import { describeValue, isArrayLike, isFiniteNumber, abs } from "../../core/describe.js";
import { zeros } from "../../core/arrays.js";

/** Arguments of `default.effective_sigma`. */
export interface EffectiveSigmaArgs extends SimplifiedLikelihoodArgs {
  /** Correlation matrix ρ of the background nuisances (N×N, positive definite, unit diagonal). */
  readonly correlationMatrix: MatrixInput;
  /**
   * Asymmetric background uncertainties, one `[up, down]` pair per bin (spey's spelling
   * "envelops"); σ⁺ = |up|, σ⁻ = |down|.
   */
  readonly absoluteUncertaintyEnvelops?: ArrayLike<ArrayLike<number>>;
  /** Alias of {@link absoluteUncertaintyEnvelops}. */
  readonly absoluteUncertaintyEnvelopes?: ArrayLike<ArrayLike<number>>;
}

/**
 * `default.effective_sigma` (spey's `EffectiveSigma`): asymmetric background uncertainties through a
 * variable-width Gaussian (Barlow, arXiv:physics/0406120 eqs. 18–19),
 *
 *   L(μ, θ) = Πᵢ Pois(nᵢ | μsᵢfᵢ + bᵢ + σ_eff,ᵢ(θᵢ)θᵢ) · MVN(a | θ, ρ),
 *   σ_eff(θ) = √max(σ⁺σ⁻ + (σ⁺ − σ⁻)(θ − b), 1e-10),
 *
 * in spey's form with (θ − b) (kept for parity with spey's published numbers, spey after PR #67; the
 * paper's variable is the shift of the measured quantity). ρ is validated (symmetrised with a
 * warning, positive definite); a diagonal different from 1 is used as given, with a warning.
 */
export class EffectiveSigma extends SimplifiedLikelihoodBase {
  static override name = "default.effective_sigma";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;
  static override doi: readonly string[] = ["10.1142/9781860948985_0013"];
  static override arXiv: readonly string[] = ["physics/0406120"];

  /** σ⁺ and σ⁻ per bin. */
  declare readonly sigmaPlus: Float64Array;
  declare readonly sigmaMinus: Float64Array;

  constructor(args: EffectiveSigmaArgs) {
    const parts = EffectiveSigma.#prepare(args);
    super(parts);
    const model = parts.backgroundModel as EffectiveSigmaBackground;
    this.sigmaPlus = model.sigmaPlus;
    this.sigmaMinus = model.sigmaMinus;
  }

  static #prepare(args: EffectiveSigmaArgs): SimplifiedModelParts {
    const common = parseCommonInputs(args, EffectiveSigma.name);
    const n = common.observed.length;
    if (args.absoluteUncertaintyEnvelops !== undefined && args.absoluteUncertaintyEnvelopes !== undefined) {
      throw new InvalidInput("give absoluteUncertaintyEnvelops or its alias absoluteUncertaintyEnvelopes, not both.");
    }
    const envelopes = args.absoluteUncertaintyEnvelops ?? args.absoluteUncertaintyEnvelopes;
    const { plus, minus } = readEnvelopes(envelopes, n);
    const { matrix, lower } = readCovariance(args.correlationMatrix, "correlationMatrix", n);
    const offDiagonal: number[] = [];
    for (let i = 0; i < n; i++) if (abs(matrix[i * n + i]! - 1) > 1e-8) offDiagonal.push(i);
    if (offDiagonal.length > 0) {
      logWarning(
        `correlationMatrix has diagonal entries different from 1 at [${offDiagonal.join(", ")}]; it is used as the covariance of the nuisances as given.`,
      );
    }
    return {
      common,
      backgroundModel: new EffectiveSigmaBackground(common.background, plus, minus),
      constraint: GaussianBlock.correlated(lower, n, { correlation: matrix }),
    };
  }
}

function readEnvelopes(values: unknown, n: number): { plus: Float64Array; minus: Float64Array } {
  const argument = "absoluteUncertaintyEnvelops";
  if (!isArrayLike(values)) {
    throw new InvalidInput(
      `${argument} must be an array of [up, down] pairs, one per bin; got ${describeValue(values)}.`,
    );
  }
  const list = values as ArrayLike<unknown>;
  if (list.length !== n) {
    throw new InvalidInput(
      `${argument} has ${list.length} entries but data has ${n}; give one [up, down] pair per bin.`,
    );
  }
  const plus = zeros(n);
  const minus = zeros(n);
  for (let i = 0; i < n; i++) {
    const pair = list[i] as ArrayLike<unknown> | null;
    if (!isArrayLike(pair) || pair.length !== 2) {
      throw new InvalidInput(`${argument}[${i}] must be an [up, down] pair; got ${describeValue(pair)}.`);
    }
    for (let k = 0; k < 2; k++) {
      const v = pair[k];
      if (!isFiniteNumber(v)) {
        throw new InvalidInput(`${argument}[${i}][${k}] must be a finite number; got ${describeValue(v)}.`);
      }
    }
    plus[i] = abs(pair[0] as number);
    minus[i] = abs(pair[1] as number);
  }
  checkPoissonScale(plus, `${argument} (up)`);
  checkPoissonScale(minus, `${argument} (down)`);
  return { plus, minus };
}
