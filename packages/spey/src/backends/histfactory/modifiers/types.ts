/**
 * The contract between the model builder and the modifier implementations.
 *
 * The expected rate of main-measurement bin b is (CERN-OPEN-2012-016 eq. 3; pyhf docs
 * "Likelihood specification")
 *
 *   λ_b(θ) = Σ_samples ( ν⁰_{s,b} + Σ_additive Δ_{m,s,b}(θ) ) · Π_multiplicative F_{m,s,b}(θ),
 *
 * evaluated on "cells" (one per sample and bin). Each modifier contributes *terms* to cells: a
 * factor F or a delta Δ that depends on exactly one parameter, of a kind listed in `terms.ts`.
 * Modifiers also declare the parameter sets they need ({@link ParameterRequirement}), which the
 * measurement's parameter configuration may then adjust.
 */
import { formatJsonPath, type JsonPath, WorkspaceError } from "../errors.js";
import type { ModifierSpec, ModifierType, SampleSpec } from "../schema.js";
import { stringify } from "../../../core/describe.js";
import { zeros } from "../../../core/arrays.js";
import { FACTOR_LINEAR } from "./terms.js";

/** A channel of the model: channels are ordered by name, as pyhf does. */
export interface ChannelLayout {
  readonly name: string;
  /** Position in the model's channel order. */
  readonly index: number;
  readonly nbins: number;
  /** Index of the channel's first bin in the concatenated main data. */
  readonly offset: number;
}

/** One modifier on one sample of one channel. */
export interface Occurrence {
  readonly channel: ChannelLayout;
  readonly sample: SampleSpec;
  /** Cell of the sample's first bin; the sample's cells are consecutive. */
  readonly firstCell: number;
  readonly modifier: ModifierSpec;
  /** JSON path of the modifier in the workspace (for error messages). */
  readonly path: JsonPath;
}

/** How a parameter set is constrained. */
export type ConstraintKind = "none" | "normal" | "poisson";

/** Members of a parameter configuration a measurement may set. */
export type ConfigurableMember = "inits" | "bounds" | "auxdata" | "sigmas" | "factors" | "fixed";

/**
 * What a modifier needs of its parameter set (pyhf's `required_parset`). Values that must come
 * from the measurement (the luminosity) are left undefined and listed in `fromMeasurement`.
 */
export interface ParameterRequirement {
  readonly name: string;
  readonly modifierType: ModifierType;
  readonly constraint: ConstraintKind;
  /** Number of parameters. */
  readonly n: number;
  /** A scalar set is named `name`; a vector set `name[i]` (pyhf's `par_names`). */
  readonly scalar: boolean;
  readonly inits: readonly number[] | undefined;
  readonly bounds: readonly (readonly [number, number])[] | undefined;
  readonly fixed: readonly boolean[];
  /** Nominal auxiliary data (constrained sets). */
  readonly auxdata?: readonly number[] | undefined;
  /** Widths of Gaussian constraints; undefined means 1 (and not configurable). */
  readonly sigmas?: readonly number[] | undefined;
  /** Poisson constraint scale factors τ: the rate of the auxiliary count is γ τ. */
  readonly factors?: readonly number[] | undefined;
  readonly configurable: readonly ConfigurableMember[];
  /** Members the measurement must provide. */
  readonly fromMeasurement?: readonly ConfigurableMember[];
  /** Where the first modifier asking for this set is. */
  readonly path: JsonPath;
}

/** Receives the terms of the cells. */
export interface TermSink {
  /** A multiplicative term of `kind` on `cell`, depending on parameter `parameter`. */
  addFactor(cell: number, parameter: number, kind: number, coefficients: ArrayLike<number>): void;
  /** An additive term of `kind` on `cell`, depending on parameter `parameter`. */
  addDelta(cell: number, parameter: number, kind: number, coefficients: ArrayLike<number>): void;
}

/** Interpolation codes a model uses (pyhf's `modifier_settings`). */
export interface ResolvedModifierSettings {
  readonly normsys: "code1" | "code4";
  readonly histosys: "code0" | "code2" | "code4p";
}

/** What a modifier sees when emitting its terms. */
export interface EmitContext {
  readonly settings: ResolvedModifierSettings;
  /** Index of the first parameter of the set `name`. */
  offset(name: string): number;
}

/** One modifier type. */
export interface ModifierImplementation {
  readonly type: ModifierType;
  /**
   * The parameter sets of the given occurrences (all of this type, in pyhf's traversal order:
   * channels by name, samples by name, modifiers by name), in pyhf's registration order.
   */
  requirements(occurrences: readonly Occurrence[]): Map<string, ParameterRequirement>;
  /** Add the terms of the occurrences to their cells. */
  emit(occurrences: readonly Occurrence[], context: EmitContext, sink: TermSink): void;
}

/**
 * Why two requirements of the same parameter set cannot be merged (pyhf's `InvalidNameReuse`), or
 * undefined when they agree on everything a parameter set is made of.
 */
export function requirementConflict(a: ParameterRequirement, b: ParameterRequirement): string | undefined {
  const same = (x: unknown, y: unknown) => stringify(x) === stringify(y);
  if (a.constraint !== b.constraint) return `constraint ${a.constraint} vs ${b.constraint}`;
  if (a.n !== b.n) return `${a.n} vs ${b.n} parameters`;
  if (a.scalar !== b.scalar) return "scalar vs per-bin parameters";
  if (!same(a.inits, b.inits)) return `initial values ${stringify(a.inits)} vs ${stringify(b.inits)}`;
  if (!same(a.bounds, b.bounds)) return `bounds ${stringify(a.bounds)} vs ${stringify(b.bounds)}`;
  if (!same(a.fixed, b.fixed)) return "fixed flags";
  if (!same(a.auxdata, b.auxdata)) return `auxiliary data ${stringify(a.auxdata)} vs ${stringify(b.auxdata)}`;
  if (!same(a.sigmas, b.sigmas)) return `constraint widths ${stringify(a.sigmas)} vs ${stringify(b.sigmas)}`;
  if (!same(a.factors, b.factors)) return "Poisson constraint factors";
  if (!same(a.configurable, b.configurable)) return "configurable members";
  return undefined;
}

/**
 * First-occurrence order of names, each mapped by `make` (pyhf's `required_parsets.setdefault`).
 * Later occurrences of a name must ask for the same parameter set.
 */
export function firstOccurrences(
  occurrences: readonly Occurrence[],
  make: (occurrence: Occurrence) => ParameterRequirement,
): Map<string, ParameterRequirement> {
  const out = new Map<string, ParameterRequirement>();
  for (const occ of occurrences) {
    const requirement = make(occ);
    const first = out.get(occ.modifier.name);
    if (!first) {
      out.set(occ.modifier.name, requirement);
      continue;
    }
    const conflict = requirementConflict(first, requirement);
    if (conflict) {
      throw new WorkspaceError(
        occ.path,
        `the ${occ.modifier.type} modifier "${occ.modifier.name}" is incompatible with its use at ${formatJsonPath(first.path)} (${conflict}); modifiers sharing a name share their parameters.`,
      );
    }
  }
  return out;
}

const NO_COEFFICIENTS = zeros(0);

/** The linear factors F_b = θ_{p + stride·b} of an occurrence's bins (`stride` 0: one θ_p for every bin). */
export function linearFactors(sink: TermSink, occ: Occurrence, p: number, stride: 0 | 1): void {
  for (let b = 0; b < occ.channel.nbins; b++)
    sink.addFactor(occ.firstCell + b, p + stride * b, FACTOR_LINEAR, NO_COEFFICIENTS);
}

/** `emit` of a modifier whose parameter set is linear factors ({@link linearFactors}): lumi, normfactor (stride 0), shapefactor, shapesys (stride 1). */
export const emitLinear =
  (stride: 0 | 1): ModifierImplementation["emit"] =>
  (occurrences, context, sink) => {
    for (const occ of occurrences) linearFactors(sink, occ, context.offset(occ.modifier.name), stride);
  };
