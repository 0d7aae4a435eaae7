/**
 * `staterror`: the Monte Carlo statistical uncertainty of the samples of a channel, combined per
 * bin — Barlow–Beeston-lite with Gaussian constraints (CERN-OPEN-2012-016 §4.2 eqs. 12–14,
 * "StatError"; pyhf docs "Modifiers → MC Statistical Uncertainty"). Every sample that names the
 * modifier in a channel is scaled by the same γ_b (F_b = γ_b), constrained by N(1 | γ_b, σ_b) with
 *
 *   σ_b = √(Σ_s δ_{s,b}²) / Σ_s ν⁰_{s,b}   (sums over the samples carrying the modifier),
 *
 * i.e. pyhf's Σ_s (δ_{s,b}/Σν⁰)² under a square root. One parameter per bin of every channel the
 * name appears in (channels in model order), initial value 1, bounds [1e-10, 10]; bins with σ_b = 0
 * are fixed at 1 with σ_b set to 1, as in pyhf 0.7. Parameter sets are registered in name order
 * (pyhf's builder finalises them in sorted order).
 * Derivatives: ∂F_b/∂γ_b = 1 (kernel term `FACTOR_LINEAR`); the constraint's are in the kernel.
 */
import type { ChannelLayout } from "./types.js";
import { linearFactors, type ModifierImplementation, type Occurrence, type ParameterRequirement } from "./types.js";
import { sqrt } from "../../../core/describe.js";

/** The channels a staterror name appears in, in model order, with each one's parameter offset. */
function channelsOf(occurrences: readonly Occurrence[]): Map<ChannelLayout, number> {
  const channels = [...new Set(occurrences.map((o) => o.channel))].sort((a, b) => a.index - b.index);
  const out = new Map<ChannelLayout, number>();
  let offset = 0;
  for (const c of channels) {
    out.set(c, offset);
    offset += c.nbins;
  }
  return out;
}

function byName(occurrences: readonly Occurrence[]): Map<string, Occurrence[]> {
  const groups = new Map<string, Occurrence[]>();
  for (const occ of occurrences) {
    const list = groups.get(occ.modifier.name);
    if (list) list.push(occ);
    else groups.set(occ.modifier.name, [occ]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const staterror: ModifierImplementation = {
  type: "staterror",
  requirements(occurrences) {
    const out = new Map<string, ParameterRequirement>();
    for (const [name, occs] of byName(occurrences)) {
      const channels = channelsOf(occs);
      const n = [...channels.keys()].reduce((sum, c) => sum + c.nbins, 0);
      const sigmas = new Array<number>(n).fill(0);
      for (const [channel, offset] of channels) {
        const inChannel = occs.filter((o) => o.channel === channel);
        for (let b = 0; b < channel.nbins; b++) {
          let total = 0;
          for (const o of inChannel) total += o.sample.data[b] as number;
          let relative2 = 0;
          if (total > 0) {
            for (const o of inChannel) relative2 += ((o.modifier.data as number[])[b]! / total) ** 2;
          }
          sigmas[offset + b] = sqrt(relative2);
        }
      }
      const fixed = sigmas.map((s) => s === 0);
      out.set(name, {
        name,
        modifierType: "staterror",
        constraint: "normal",
        n,
        scalar: false,
        inits: new Array<number>(n).fill(1),
        bounds: Array.from({ length: n }, () => [1e-10, 10] as const),
        fixed,
        auxdata: new Array<number>(n).fill(1),
        sigmas: sigmas.map((s) => (s === 0 ? 1 : s)),
        configurable: ["inits", "bounds", "auxdata", "sigmas", "fixed"],
        path: (occs[0] as Occurrence).path,
      });
    }
    return out;
  },
  emit(occurrences, context, sink) {
    for (const [name, occs] of byName(occurrences)) {
      const channels = channelsOf(occs);
      const p = context.offset(name);
      for (const occ of occs) linearFactors(sink, occ, p + (channels.get(occ.channel) as number), 1);
    }
  },
};
