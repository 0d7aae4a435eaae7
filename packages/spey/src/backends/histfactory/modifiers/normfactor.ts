/**
 * `normfactor`: an unconstrained scale factor of a sample, F = θ in every bin
 * (CERN-OPEN-2012-016 §2, "NormFactor"; pyhf docs "Modifiers → Normalisation Factor").
 * Parameter set: one scalar, initial value 1, bounds [0, 10]; shared by every sample that names it.
 * Derivatives: ∂F/∂θ = 1, ∂²F/∂θ² = 0 (kernel term `FACTOR_LINEAR`).
 */
import { FACTOR_LINEAR } from "./terms.js";
import { firstOccurrences, type ModifierImplementation, type Occurrence, type ParameterRequirement } from "./types.js";
import { zeros } from "../../../core/arrays.js";

const NO_COEFFICIENTS = zeros(0);

export function normfactorRequirement(occ: Occurrence): ParameterRequirement {
  return {
    name: occ.modifier.name,
    modifierType: "normfactor",
    constraint: "none",
    n: 1,
    scalar: true,
    inits: [1],
    bounds: [[0, 10]],
    fixed: [false],
    configurable: ["inits", "bounds", "fixed"],
    path: occ.path,
  };
}

export const normfactor: ModifierImplementation = {
  type: "normfactor",
  requirements: (occurrences) => firstOccurrences(occurrences, normfactorRequirement),
  emit(occurrences, context, sink) {
    for (const occ of occurrences) {
      const p = context.offset(occ.modifier.name);
      for (let b = 0; b < occ.channel.nbins; b++) sink.addFactor(occ.firstCell + b, p, FACTOR_LINEAR, NO_COEFFICIENTS);
    }
  },
};
