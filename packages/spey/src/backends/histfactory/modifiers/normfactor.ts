/**
 * `normfactor`: an unconstrained scale factor of a sample, F = θ in every bin
 * (CERN-OPEN-2012-016 §2, "NormFactor"; pyhf docs "Modifiers → Normalisation Factor").
 * Parameter set: one scalar, initial value 1, bounds [0, 10]; shared by every sample that names it.
 * Derivatives: ∂F/∂θ = 1, ∂²F/∂θ² = 0 (kernel term `FACTOR_LINEAR`).
 */
import {
  firstOccurrences,
  emitLinear,
  type ModifierImplementation,
  type Occurrence,
  type ParameterRequirement,
} from "./types.js";

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
  emit: emitLinear(0),
};
