/**
 * `histosys`: a shape uncertainty, an additive per-bin delta Δ_b(α) interpolating between the
 * down and up templates lo_b, hi_b (CERN-OPEN-2012-016 §4.1, "HistoSys"; pyhf docs "Modifiers →
 * Correlated Shape"). Parameter α: one scalar, Gaussian-constrained N(0 | α, 1), initial value 0,
 * bounds [−5, 5]; a normsys of the same name shares it.
 *
 * Interpolation (`modifierSettings.histosys.interpcode`): "code0" — piecewise linear, HistFactory's
 * and ROOT's default; "code4p" — a polynomial inside |α| ≤ 1 joined smoothly to the linear
 * extrapolation, pyhf's default and spey-pyhf's choice; "code2" — quadratic inside |α| ≤ 1, linear
 * outside (pyhf's `code2`). Value and derivatives: `interpolateCode0` / `interpolateCode4p` /
 * `interpolateCode2`.
 */
import { DELTA_CODE0, DELTA_CODE2, DELTA_CODE4P, DELTA_STRIDE } from "./terms.js";
import { gaussianNuisanceRequirement } from "./normsys.js";
import { firstOccurrences, type ModifierImplementation } from "./types.js";
import { zeros } from "../../../core/arrays.js";

export const histosys: ModifierImplementation = {
  type: "histosys",
  requirements: (occurrences) => firstOccurrences(occurrences, (occ) => gaussianNuisanceRequirement(occ, "histosys")),
  emit(occurrences, context, sink) {
    const code = context.settings.histosys;
    const kind = code === "code4p" ? DELTA_CODE4P : code === "code2" ? DELTA_CODE2 : DELTA_CODE0;
    const coefficients = zeros(DELTA_STRIDE);
    for (const occ of occurrences) {
      if (occ.modifier.type !== "histosys") continue;
      const p = context.offset(occ.modifier.name);
      const { hi_data: hi, lo_data: lo } = occ.modifier.data;
      for (let b = 0; b < occ.channel.nbins; b++) {
        const nom = occ.sample.data[b] as number;
        const up = (hi[b] as number) - nom;
        const dn = nom - (lo[b] as number);
        if (up === 0 && dn === 0) continue; // Δ ≡ 0
        coefficients[0] = up;
        coefficients[1] = dn;
        if (kind === DELTA_CODE2) {
          coefficients[2] = 0.5 * (up - dn); // a = (hi + lo)/2 − nom
          coefficients[3] = 0.5 * (up + dn); // b = (hi − lo)/2
        } else {
          coefficients[2] = 0.5 * (up + dn);
          coefficients[3] = 0.0625 * (up - dn);
        }
        sink.addDelta(occ.firstCell + b, p, kind, coefficients);
      }
    }
  },
};
