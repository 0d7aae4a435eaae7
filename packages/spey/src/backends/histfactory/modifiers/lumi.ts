/**
 * `lumi`: the luminosity scale factor, F = θ_lumi in every bin, with a Gaussian constraint
 * N(a | θ_lumi, σ_lumi) whose auxiliary value a and width σ come from the measurement's parameter
 * configuration (CERN-OPEN-2012-016 eq. 6; pyhf docs "Modifiers → Luminosity").
 * pyhf requires the measurement to configure the luminosity; here `auxdata` and `sigmas` are
 * required, `inits` defaults to the auxiliary value and `bounds` to [0, 10 a].
 * Derivatives: ∂F/∂θ = 1, ∂²F/∂θ² = 0 (kernel term `FACTOR_LINEAR`).
 */
import {
  firstOccurrences,
  emitLinear,
  type ModifierImplementation,
  type Occurrence,
  type ParameterRequirement,
} from "./types.js";

export function lumiRequirement(occ: Occurrence): ParameterRequirement {
  return {
    name: occ.modifier.name,
    modifierType: "lumi",
    constraint: "normal",
    n: 1,
    scalar: true,
    inits: undefined,
    bounds: undefined,
    fixed: [false],
    auxdata: undefined,
    sigmas: undefined,
    configurable: ["inits", "bounds", "auxdata", "sigmas", "fixed"],
    fromMeasurement: ["auxdata", "sigmas"],
    path: occ.path,
  };
}

export const lumi: ModifierImplementation = {
  type: "lumi",
  requirements: (occurrences) => firstOccurrences(occurrences, lumiRequirement),
  emit: emitLinear(0),
};
