/**
 * Getters of the objects that models hand to inference ({@link ProfileLikelihood},
 * {@link HypotestPreparation}), on class prototypes. Used by StatisticalModel and
 * UnCorrStatisticsCombiner.
 */
import type {
  Calculator,
  HypotestPreparation,
  MaximumLikelihood,
  ProfileLikelihood,
} from "../inference/profile-likelihood.js";

/** What {@link LiveModelProperties} reads from a model (a statistical model or a combiner). */
interface ModelState {
  readonly isAlive: boolean;
  readonly availableCalculators: readonly Calculator[];
  readonly ntoys: number;
}

/**
 * The live properties of a model's {@link ProfileLikelihood}, read through to the model. They are
 * getters on a class prototype, not in an object literal: V8 builds an object literal with
 * accessors in its runtime, in the old generation, and every young closure it holds (the
 * likelihood's methods, and through them the model and its backend) then survived each
 * young-generation collection until a full one — building a model took ~4x longer, half of it in
 * the garbage collector (`spey validate` of a 200,000-point grid builds one model per point).
 */
export class LiveModelProperties {
  declare private readonly model: ModelState;
  constructor(model: ModelState) {
    this.model = model;
  }
  get isAlive(): boolean {
    return this.model.isAlive;
  }
  get calculators(): readonly Calculator[] {
    return this.model.availableCalculators;
  }
  get ntoys(): number {
    return this.model.ntoys;
  }
}

/**
 * The unconditional fits of a {@link HypotestPreparation}, made when first read and kept (a fit
 * that throws is tried again at the next read). Getters on a class prototype, not in an object
 * literal, for the reason given at {@link LiveModelProperties}: with the literal, every
 * preparation's closures and fit results were promoted to the old generation (CLs of a 3-bin
 * simplified model ~1.8x slower).
 */
export class LazyFits {
  declare private readonly free: () => MaximumLikelihood;
  declare private readonly asimov: () => MaximumLikelihood;
  declare private freeResult: MaximumLikelihood | undefined;
  declare private asimovResult: MaximumLikelihood | undefined;
  constructor(free: () => MaximumLikelihood, asimov: () => MaximumLikelihood) {
    this.free = free;
    this.asimov = asimov;
    this.freeResult = undefined;
    this.asimovResult = undefined;
  }
  get fit(): MaximumLikelihood {
    this.freeResult ??= this.free();
    return this.freeResult;
  }
  get asimovFit(): MaximumLikelihood {
    this.asimovResult ??= this.asimov();
    return this.asimovResult;
  }
}
