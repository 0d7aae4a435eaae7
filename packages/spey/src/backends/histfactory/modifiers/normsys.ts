/**
 * `normsys`: a normalisation uncertainty, a multiplicative factor F(α) interpolating between the
 * relative variations κ₋ = lo and κ₊ = hi (CERN-OPEN-2012-016 §4.1, "OverallSys"; pyhf docs
 * "Modifiers → Normalisation Uncertainty"). Parameter α: one scalar, Gaussian-constrained
 * N(0 | α, 1), initial value 0, bounds [−5, 5], shared by every sample that names it.
 *
 * Interpolation (`modifierSettings.normsys.interpcode`): "code1" — piecewise exponential
 * κ₊^α / κ₋^(−α), HistFactory's and ROOT's default; "code4" — a sixth-order polynomial inside
 * |α| < 1 joined smoothly (value, slope and curvature) to code 1 outside, pyhf's default and
 * spey-pyhf's choice. Value and derivatives: `interpolateCode1` / `interpolateCode4`.
 */
import { WorkspaceError } from "../errors.js";
import { code4Coefficients } from "../interpolation.js";
import { FACTOR_CODE1, FACTOR_CODE4, FACTOR_STRIDE } from "./terms.js";
import { firstOccurrences, type ModifierImplementation, type Occurrence, type ParameterRequirement } from "./types.js";
import { zeros } from "../../../core/arrays.js";
import { ln } from "../../../core/describe.js";

export function gaussianNuisanceRequirement(occ: Occurrence, type: "normsys" | "histosys"): ParameterRequirement {
  return {
    name: occ.modifier.name,
    modifierType: type,
    constraint: "normal",
    n: 1,
    scalar: true,
    inits: [0],
    bounds: [[-5, 5]],
    fixed: [false],
    auxdata: [0],
    sigmas: undefined,
    configurable: ["inits", "bounds", "auxdata", "fixed"],
    path: occ.path,
  };
}

export const normsys: ModifierImplementation = {
  type: "normsys",
  requirements: (occurrences) => firstOccurrences(occurrences, (occ) => gaussianNuisanceRequirement(occ, "normsys")),
  emit(occurrences, context, sink) {
    const code4 = context.settings.normsys === "code4";
    const coefficients = zeros(FACTOR_STRIDE);
    for (const occ of occurrences) {
      if (occ.modifier.type !== "normsys") continue;
      const { hi, lo } = occ.modifier.data;
      for (const [key, v] of [
        ["hi", hi],
        ["lo", lo],
      ] as const) {
        if (!(v > 0)) {
          throw new WorkspaceError(
            [...occ.path, "data", key],
            `a normsys variation must be a positive factor for interpolation code ${code4 ? 4 : 1}; got ${v}.`,
          );
        }
      }
      if (hi === 1 && lo === 1) continue; // F ≡ 1
      coefficients.fill(0);
      coefficients[0] = ln(hi);
      coefficients[1] = ln(lo);
      if (code4) code4Coefficients(hi, lo, coefficients, 2);
      const p = context.offset(occ.modifier.name);
      const kind = code4 ? FACTOR_CODE4 : FACTOR_CODE1;
      for (let b = 0; b < occ.channel.nbins; b++) sink.addFactor(occ.firstCell + b, p, kind, coefficients);
    }
  },
};
