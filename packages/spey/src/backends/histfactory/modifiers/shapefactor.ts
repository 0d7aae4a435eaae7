/**
 * `shapefactor`: unconstrained per-bin scale factors, F_b = γ_b (CERN-OPEN-2012-016 §2,
 * "ShapeFactor"; pyhf docs "Modifiers → Shape Factor"). One parameter per bin of the channel,
 * initial value 1, bounds [0, 10]; the same name in several channels (with the same number of
 * bins) shares the γ_b, as in pyhf.
 * Derivatives: ∂F_b/∂γ_b = 1, second derivatives 0 (kernel term `FACTOR_LINEAR`).
 */
import {
  firstOccurrences,
  emitLinear,
  type ModifierImplementation,
  type Occurrence,
  type ParameterRequirement,
} from "./types.js";

export function shapefactorRequirement(occ: Occurrence): ParameterRequirement {
  const n = occ.channel.nbins;
  return {
    name: occ.modifier.name,
    modifierType: "shapefactor",
    constraint: "none",
    n,
    scalar: false,
    inits: new Array<number>(n).fill(1),
    bounds: Array.from({ length: n }, () => [0, 10] as const),
    fixed: new Array<boolean>(n).fill(false),
    configurable: ["inits", "bounds", "fixed"],
    path: occ.path,
  };
}

export const shapefactor: ModifierImplementation = {
  type: "shapefactor",
  requirements: (occurrences) => firstOccurrences(occurrences, shapefactorRequirement),
  emit: emitLinear(1),
};
