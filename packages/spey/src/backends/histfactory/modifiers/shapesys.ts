/**
 * `shapesys`: uncorrelated per-bin uncertainties of one sample with Poisson constraints — the
 * Barlow–Beeston-lite treatment (CERN-OPEN-2012-016 §4.2 eq. 15, "ShapeSys"; pyhf docs "Modifiers →
 * Uncorrelated Shape"). Bin b is scaled by γ_b (F_b = γ_b) and constrained by
 * Pois(τ_b | γ_b τ_b) with τ_b = (ν⁰_b / δ_b)², the effective number of Monte Carlo events.
 * One parameter per bin, initial value 1, bounds [1e-10, 10]; pyhf 0.7 keeps a parameter for
 * bins with ν⁰_b = 0 or δ_b = 0 but fixes it at 1 with τ_b = 1.
 * Names are not shared: two samples with the same shapesys name are an error.
 * Derivatives: ∂F_b/∂γ_b = 1 (kernel term `FACTOR_LINEAR`); the constraint's are in the kernel.
 */
import { formatJsonPath, WorkspaceError } from "../errors.js";
import { emitLinear, type ModifierImplementation, type Occurrence, type ParameterRequirement } from "./types.js";

export function shapesysRequirement(occ: Occurrence): ParameterRequirement {
  if (occ.modifier.type !== "shapesys")
    throw new WorkspaceError(
      formatJsonPath([]),
      `shapesysRequirement: expected a shapesys modifier; got ${occ.modifier.type}.`,
    );
  const nominal = occ.sample.data;
  const uncertainty = occ.modifier.data;
  const n = nominal.length;
  const valid = nominal.map((b, i) => b > 0 && (uncertainty[i] as number) > 0);
  const factors = nominal.map((b, i) => (valid[i] ? (b / (uncertainty[i] as number)) ** 2 : 1));
  return {
    name: occ.modifier.name,
    modifierType: "shapesys",
    constraint: "poisson",
    n,
    scalar: false,
    inits: new Array<number>(n).fill(1),
    bounds: Array.from({ length: n }, () => [1e-10, 10] as const),
    fixed: valid.map((v) => !v),
    auxdata: factors,
    factors,
    configurable: ["inits", "bounds", "auxdata", "factors", "fixed"],
    path: occ.path,
  };
}

export const shapesys: ModifierImplementation = {
  type: "shapesys",
  requirements(occurrences) {
    const out = new Map<string, ParameterRequirement>();
    for (const occ of occurrences) {
      const first = out.get(occ.modifier.name);
      if (first) {
        throw new WorkspaceError(
          occ.path,
          `the shapesys modifier "${occ.modifier.name}" is also used at ${formatJsonPath(first.path)}; shapesys parameters are per sample (not shared), so give each sample its own name.`,
        );
      }
      out.set(occ.modifier.name, shapesysRequirement(occ));
    }
    return out;
  },
  emit: emitLinear(1),
};
