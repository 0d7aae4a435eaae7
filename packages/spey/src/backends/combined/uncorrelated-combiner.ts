import { InvalidInput } from "../../core/errors.js";
import { VERSION } from "../../core/version.js";
import type { BackendBase } from "../../plugin/backend-base.js";
import { CombinerBase, type CombinerBaseArgs, type ParameterMap } from "./combiner-base.js";

/**
 * `default.uncorrelated_combiner` (spey's `UncorrelatedStatisticsCombiner`, spey ≥ 0.2.8):
 * statistically independent analyses that share only their parameter of interest. The joint
 * likelihood factorises, L(μ, θ) = Π_m L_m(μ, θ_m), so the profile NLL of the combination is the
 * sum of the constituents' profile NLLs; the result is an ordinary statistical model (toys,
 * Hessians, σμ and contours included when every constituent has them).
 *
 * @example
 * const combined = getBackend("default.uncorrelated_combiner")({ statisticalModels: [a, b], analysis: "a+b" });
 * combined.poiUpperLimit();
 */
export class UncorrelatedStatisticsCombiner extends CombinerBase {
  static override name = "default.uncorrelated_combiner";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  constructor(args: CombinerBaseArgs) {
    super(args);
  }

  /** Every model's POI in one slot, named after the first model's POI. */
  protected buildParameterMap(localNames: readonly (readonly string[])[]): ParameterMap {
    const groupOf = new Map<string, string>();
    this.members.forEach((m, k) => groupOf.set(`${k}:${m.config.poiIndex}`, "poi"));
    const { maps, slotOf } = CombinerBase.allocateSlots(localNames, groupOf);
    const first = this.members[0];
    const name = first ? ((localNames[0] as readonly string[])[first.config.poiIndex] as string) : "mu";
    return { maps, sharedNames: new Map([[slotOf.get("poi") as number, name]]) };
  }

  /** Merge with another uncorrelated combination: all models of both (spey's `@`). */
  override combine(other: BackendBase): BackendBase {
    if (!(other instanceof UncorrelatedStatisticsCombiner)) {
      throw new InvalidInput(
        "an uncorrelated combination combines with another uncorrelated combination, not a single model; wrap the model in a combination first.",
      );
    }
    return new UncorrelatedStatisticsCombiner({
      statisticalModels: [...this.statisticalModels, ...other.statisticalModels],
    });
  }
}
