/**
 * The exact, global inner profile of a simplified likelihood: min over the feasible θ of
 * F(θ) = Σᵢ hᵢ(θᵢ) − ln p(a | θ) at fixed signal (theta-objective.ts).
 *
 * 1. Each bin's feasible set is cut into pieces on which hᵢ is smooth and the background monotone
 *    (bin-pieces.ts): at the vertex of a quadratic background, at the floor crossing where λ
 *    reaches 1e-20 (a corner of hᵢ when dᵢ = 0), at inflections. A leaf is one piece per bin;
 *    on its box F is smooth, and a minimum on the floor boundary is a minimum on the box's face.
 * 2. Local search: minimise F on the leaf's box with the projected Newton method (exact Hessian);
 *    where the minimiser sits on a cut and the neighbouring piece's one-sided derivative points
 *    downhill, move that bin to the neighbour and continue. Because each hᵢ depends on θᵢ alone,
 *    a point that passes these coordinate tests has a non-negative directional derivative in
 *    every direction.
 * 3. Branch and bound over the pieces of the bins that have more than one (piece-bounds.ts): a
 *    leaf whose lower bound is not below the incumbent minimum is skipped; every other leaf is
 *    searched. Leaves with a piece where hᵢ is not known to be convex are searched from several
 *    starts (the incumbent, the constraint centre, each bin's Poisson optimum). The per-piece
 *    bounds start as the cheap one (min hᵢ + min of the quadratic part) and are tightened only
 *    for a node that they do not prune yet, and only as far as that node needs: every bound
 *    used stays a rigorous lower bound, so what is pruned is what a fully tightened bound would
 *    prune at that level, and bounds no node needs (most of the subdivisions of pieces where hᵢ
 *    is not known to be convex) are never computed.
 *
 * The result is the global minimum up to the optimiser's tolerances whenever the search
 * completes within its node budget (it reports `certified: false` otherwise) and every searched
 * leaf's minimum is found (certain when F is convex on it).
 */
import { InvalidInput } from "../../../core/errors.js";
import { logWarning } from "../../../core/logger.js";
import { type MinimizeOptions, minimize } from "../../../optimize/minimize.js";
import type { BackgroundModel } from "../backgrounds.js";
import type { GaussianBlock } from "../constraints.js";
import { BinPieceBuilder, type Piece } from "./bin-pieces.js";
import { ThetaHessianOperator } from "./large-model.js";
import { phiMinimum, phiMinimumCheap } from "./piece-bounds.js";
import { ThetaObjective } from "./theta-objective.js";
import { zeros, copyOf } from "../../../core/arrays.js";
import { abs, max, min, sqrt } from "../../../core/describe.js";

/** Default node budget of the branch and bound ({@link GlobalThetaProfiler.nodeBudget}). */
const MAX_NODES = 20000;
/**
 * Relative margin by which a bin's other piece must be proven worse than the incumbent's point
 * (min φᵢ ≥ φᵢ(θ̂ᵢ)(1 + margin)) before its bound stops being refined: 100× the subdivision's own
 * tolerance (1e-7), so such a piece is pruned whenever a fully refined bound would prune it.
 */
const PIECE_PRUNE_MARGIN = 1e-5;
/** Bound on the moves between neighbouring pieces in one local search. */
const MAX_SWITCHES_PER_BIN = 4;

/** The inner profile at one signal vector. */
export interface ThetaProfile {
  /** θ̂. */
  readonly theta: Float64Array;
  /** F(θ̂) (without ln Γ(d + 1) and the terms of other parameters). */
  readonly value: number;
  /** The piece of each θ̂ᵢ. */
  readonly pieces: readonly Piece[];
  /** Every searched leaf's optimiser run converged (at least the one that gave θ̂). */
  readonly converged: boolean;
  /** Why not, when not converged. */
  readonly message: string;
  /**
   * The branch and bound finished within its budget (false also when hᵢ's curvature is unknown
   * and a multi-start replaced the bound).
   */
  readonly certified: boolean;
  /** Leaves searched. */
  readonly leaves: number;
  /**
   * A searched leaf where hᵢ is not known to be convex gave distinct local minima from its starts
   * (F has competing basins there, so the profile over μ may have several local minima too).
   */
  readonly multimodal: boolean;
}

interface LeafResult {
  theta: Float64Array;
  value: number;
  leaf: Int32Array;
  converged: boolean;
  message: string;
}

export interface ThetaProfileOptions {
  /** A start point (e.g. a fit at a nearby μ); default the constraint centre. */
  readonly start?: Float64Array | undefined;
  readonly optimiser?: MinimizeOptions | undefined;
  /**
   * Limits of θ intersected with the feasible set (a caller's bounds; lower = upper for a fixed
   * θᵢ); see {@link GlobalThetaProfiler.feasibleWithin} for whether anything is left.
   */
  readonly limits?: ThetaLimits | undefined;
}

/** Per-bin limits of θ (infinite entries: open). */
export interface ThetaLimits {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export class GlobalThetaProfiler {
  readonly #n: number;
  declare readonly objective: ThetaObjective;
  readonly #scratch = zeros(3);
  readonly #builder: BinPieceBuilder;
  /** The leaf solves' Hessian buffer (small models). */
  #hessianBuffer: Float64Array | undefined;
  /** Set by {@link solveLeaf} when the starts of one leaf end in distinct local minima. */
  #distinctMinima = false;
  /**
   * Nodes the branch and bound may visit before it stops uncertified (the result is then the lowest
   * of the pieces searched, and a warning says that it is not proven global).
   */
  nodeBudget = MAX_NODES;
  /** Newton steps by conjugate gradients for a factorised (large) constraint block, else undefined. */
  declare readonly largeModelHessian: ThetaHessianOperator | undefined;

  declare readonly background: BackgroundModel;
  declare readonly constraint: GaussianBlock;
  constructor(background: BackgroundModel, constraint: GaussianBlock) {
    this.background = background;
    this.constraint = constraint;
    this.#n = constraint.n;
    this.#builder = new BinPieceBuilder(background, constraint.n);
    this.objective = new ThetaObjective(background, constraint);
    this.largeModelHessian = constraint.factorised
      ? new ThetaHessianOperator(this.objective, constraint.factorised, constraint)
      : undefined;
  }

  /** Whether every bin keeps a feasible θ within the limits (the profile needs one). */
  feasibleWithin(limits: ThetaLimits): boolean {
    const list: Piece[] = [];
    for (let i = 0; i < this.#n; i++) {
      this.#builder.build(i, 0, 0, list, limits.lower[i]!, limits.upper[i]!);
      if (list.length === 0) return false;
    }
    return true;
  }

  /**
   * min_θ F(θ) for signal c (cᵢ = μ·sᵢ), main counts `data` and the θ block `aux` of the
   * auxiliary data (undefined: nominal zeros).
   */
  profile(
    c: Float64Array,
    data: Float64Array,
    aux: Float64Array | undefined,
    options: ThetaProfileOptions = {},
  ): ThetaProfile {
    const n = this.#n;
    const objective = this.objective;
    objective.setProblem(c, data, aux);
    const pieces: Piece[][] = [];
    const limits = options.limits;
    for (let i = 0; i < n; i++) {
      const list: Piece[] = [];
      if (limits) this.#builder.build(i, c[i]!, data[i]!, list, limits.lower[i]!, limits.upper[i]!);
      else this.#builder.build(i, c[i]!, data[i]!, list);
      if (list.length === 0) {
        throw new InvalidInput(
          `θ of bin ${i} has no feasible value within [${limits?.lower[i]}, ${limits?.upper[i]}] (background ≥ 0 is spey's constraint): widen parBounds or fix it elsewhere.`,
        );
      }
      pieces.push(list);
    }
    const centre = zeros(n);
    for (let i = 0; i < n; i++) centre[i] = objective.centre(i);
    const start = options.start ?? centre;
    const visited = new Set<string>();
    this.#distinctMinima = false;
    const leaf0 = this.#initialLeaf(pieces, start, data);
    let best = this.#localSearch(pieces, leaf0, start, centre, visited, options.optimiser);
    let leaves = visited.size;
    let certified = true;
    let allConverged = best.converged;
    let message = best.message;

    const multi: number[] = [];
    for (let i = 0; i < n; i++) if (pieces[i]!.length > 1) multi.push(i);
    if (multi.length > 0) {
      const m = this.constraint.strongConvexity();
      const g = zeros(n);
      // δ tables relative to the incumbent: delta[i][k] ≤ min_{piece k} φᵢ − φᵢ(θ̂ᵢ), a rigorous
      // lower bound made tighter on demand (see `refine`): `reached[i][k]` is the δ the last
      // refinement was asked to prove (+∞ once the bound is as tight as piece-bounds.ts makes it)
      let delta: Float64Array[] = [];
      let reached: Float64Array[] = [];
      const phiAtR = zeros(n);
      const refresh = () => {
        objective.floored.fill(0);
        for (let i = 0; i < n; i++) objective.floored[i] = pieces[i]![best.leaf[i]!]!.floored ? 1 : 0;
        objective.constraintGradient(best.theta, g);
        delta = [];
        reached = [];
        for (let i = 0; i < n; i++) {
          const r = best.theta[i]!;
          const own = pieces[i]![best.leaf[i]!]!;
          phiAtR[i] = objective.binTerm(i, r, own.floored, this.#scratch);
          const row = zeros(pieces[i]!.length);
          const done = zeros(row.length);
          for (let k = 0; k < row.length; k++) {
            const piece = pieces[i]![k]!;
            if (k === best.leaf[i] && piece.curvature === "convex") {
              // θ̂ satisfies the box's optimality conditions and φᵢ is convex on its own piece
              // with φᵢ′(θ̂ᵢ) = ∂F/∂θᵢ(θ̂): θ̂ᵢ minimises φᵢ there.
              row[k] = 0;
              done[k] = Number.POSITIVE_INFINITY;
              continue;
            }
            // the cheap bound first: min hᵢ + min of the quadratic part
            row[k] = phiMinimumCheap(piece, g[i]!, m, r) - phiAtR[i]!;
            done[k] = Number.NEGATIVE_INFINITY;
          }
          delta.push(row);
          reached.push(done);
        }
      };
      /**
       * Tighten δᵢ(k) until it proves `need` (or as far as piece-bounds.ts goes). Another piece than
       * the incumbent's is asked for at least a clear margin (PIECE_PRUNE_MARGIN, far above the
       * 1e-9 pruning margin and the own pieces' bound precision), so that one refinement serves
       * every node it appears in; the incumbent's own piece (δ ≤ 0) only for what the node needs.
       */
      const refine = (i: number, k: number, need: number) => {
        const piece = pieces[i]![k]!;
        const scale = max(1, abs(phiAtR[i]!));
        const goal = k === best.leaf[i] ? need : max(need, PIECE_PRUNE_MARGIN * scale);
        const value =
          phiMinimum(objective, i, piece, g[i]!, m, best.theta[i]!, this.#scratch, phiAtR[i]! + goal) - phiAtR[i]!;
        if (value > delta[i]![k]!) delta[i]![k] = value;
        // convex pieces are bounded exactly (target or not); short of the goal, the subdivision
        // has reached its own precision: no later request can tighten it
        reached[i]![k] = piece.curvature === "convex" || value < goal ? Number.POSITIVE_INFINITY : goal;
      };
      refresh();
      // the bins with the most competitive alternative pieces first
      const order = [...multi].sort((x, y) => minOther(delta[x]!, best.leaf[x]!) - minOther(delta[y]!, best.leaf[y]!));
      const inOrder = new Uint8Array(n);
      for (const i of multi) inOrder[i] = 1;
      const assignment = new Int32Array(best.leaf);
      let nodes = 0;
      const margin = () => 1e-9 * max(1, abs(best.value));
      /** The bound of the node with `depth` bins of `order` assigned; `pick` receives its terms. */
      const nodeBound = (depth: number, pick?: (i: number, k: number) => void): number => {
        let bound = best.value;
        for (let i = 0; i < n; i++) {
          if (inOrder[i] === 1) continue;
          bound += delta[i]![0]!;
          pick?.(i, 0);
        }
        for (let j = 0; j < order.length; j++) {
          const i = order[j]!;
          const row = delta[i]!;
          let k = assignment[i]!;
          if (j >= depth) for (let q = 0; q < row.length; q++) if (row[q]! < row[k]!) k = q;
          bound += row[k]!;
          pick?.(i, k);
        }
        return bound;
      };
      /**
       * Whether the node can be pruned, tightening the bounds of its terms as needed: the term with
       * the lowest δ that can still be tightened is asked to cover the whole deficit, until the
       * node is pruned or no term can be tightened. A node on the incumbent's own leaf in every
       * assigned bin (the incumbent leaf is inside it) is tested with the bounds at hand only.
       */
      const pruned = (depth: number): boolean => {
        const threshold = best.value - margin();
        let bound = nodeBound(depth);
        if (bound >= threshold) return true;
        let offIncumbent = false;
        for (let j = 0; j < depth; j++) if (assignment[order[j]!] !== best.leaf[order[j]!]) offIncumbent = true;
        if (!offIncumbent) return false;
        for (let attempt = 0; attempt < 4 * n + 4; attempt++) {
          const deficit = threshold - bound;
          let ti = -1;
          let tk = -1;
          nodeBound(depth, (i, k) => {
            const value = delta[i]![k]!;
            if (reached[i]![k]! >= value + deficit) return;
            if (ti < 0 || value < delta[ti]![tk]!) {
              ti = i;
              tk = k;
            }
          });
          if (ti < 0) return false;
          refine(ti, tk, delta[ti]![tk]! + deficit);
          bound = nodeBound(depth);
          if (bound >= threshold) return true;
        }
        return false;
      };
      const search = (depth: number): void => {
        if (nodes++ > this.nodeBudget) {
          certified = false;
          return;
        }
        // a leaf searched already needs no bound
        if (depth === order.length && visited.has(leafKey(assignment))) return;
        if (pruned(depth)) return;
        if (depth === order.length) {
          const startPoint = clampToLeaf(pieces, assignment, best.theta);
          const result = this.#localSearch(pieces, assignment, startPoint, centre, visited, options.optimiser);
          leaves = visited.size;
          if (!result.converged && result.value < best.value) {
            allConverged = false;
            message = result.message;
          }
          if (result.value < best.value - margin()) {
            best = result;
            if (result.converged) {
              allConverged = true;
              message = result.message;
            }
            refresh();
          }
          return;
        }
        const bin = order[depth]!;
        const row = delta[bin]!;
        const ks = Array.from(row.keys()).sort((x, y) => row[x]! - row[y]!);
        for (const k of ks) {
          assignment[bin] = k;
          search(depth + 1);
        }
        assignment[bin] = best.leaf[bin]!;
      };
      search(0);
    }
    if (!certified) {
      logWarning(
        `the global search over the θ pieces of a ${n}-bin model stopped at its budget of ${this.nodeBudget} nodes: the profile is the lowest minimum of the pieces searched, not proven global.`,
        "uncertified-profile",
      );
    }
    const chosen: Piece[] = [];
    for (let i = 0; i < n; i++) chosen.push(pieces[i]![best.leaf[i]!]!);
    return {
      theta: best.theta,
      value: best.value,
      pieces: chosen,
      converged: allConverged,
      message,
      certified,
      leaves,
      multimodal: this.#distinctMinima,
    };
  }

  /** The piece of each bin holding `start` (the nearest one otherwise; not a floored one when dᵢ > 0). */
  #initialLeaf(pieces: Piece[][], start: Float64Array, data: Float64Array): Int32Array {
    const leaf = new Int32Array(this.#n);
    for (let i = 0; i < this.#n; i++) {
      const list = pieces[i]!;
      const t = start[i]!;
      let bestK = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let k = 0; k < list.length; k++) {
        const p = list[k]!;
        let distance = t < p.lo ? p.lo - t : t > p.hi ? t - p.hi : 0;
        // a floored piece of a bin with events is never optimal: prefer any other
        if (p.floored && data[i]! > 0) distance += 1e300;
        if (distance < bestDistance) {
          bestDistance = distance;
          bestK = k;
        }
      }
      leaf[i] = bestK;
    }
    return leaf;
  }

  /**
   * `start` moved into the leaf's box. A coordinate that lies outside its piece, or where λ is
   * within a factor 1e-6 of the floor in a bin with events (where Newton's steps only double λ),
   * is replaced by the piece's Poisson optimum (hᵢ's minimiser).
   */
  #startIn(pieces: Piece[][], leaf: Int32Array, start: Float64Array): Float64Array {
    const out = clampToLeaf(pieces, leaf, start);
    for (let i = 0; i < this.#n; i++) {
      const p = pieces[i]![leaf[i]!]!;
      if (p.floored) continue;
      const outside = out[i] !== start[i];
      const d = this.objective.count(i);
      if (outside || (d > 0 && this.objective.lambdaAt(i, out[i]!) < 1e-6 * d)) out[i] = p.hArgmin;
    }
    return out;
  }

  /**
   * The optimiser stops once the projected gradient is below its tolerance, which leaves a
   * coordinate pushed against a face up to that tolerance short of it. Such coordinates (within
   * 1e-7 relative, gradient pointing out of the box) are moved onto the face when that does not
   * raise F: the profile's derivatives (poi-profile.ts) and the moves between pieces then see the
   * face as reached.
   */
  #snapToFaces(
    x: Float64Array,
    fx: number,
    lower: Float64Array,
    upper: Float64Array,
  ): { theta: Float64Array; value: number } {
    const objective = this.objective;
    const gradient = zeros(this.#n);
    objective.f(x, gradient);
    const snapped = copyOf(x);
    let moved = false;
    for (let i = 0; i < this.#n; i++) {
      const t = x[i]!;
      const tol = 1e-7 * max(1, abs(t));
      if (gradient[i]! > 0 && t > lower[i]! && t - lower[i]! <= tol) {
        snapped[i] = lower[i]!;
        moved = true;
      } else if (gradient[i]! < 0 && t < upper[i]! && upper[i]! - t <= tol) {
        snapped[i] = upper[i]!;
        moved = true;
      }
    }
    if (!moved) return { theta: copyOf(x), value: fx };
    const value = objective.f(snapped);
    return value <= fx ? { theta: snapped, value } : { theta: copyOf(x), value: fx };
  }

  /** Minimise F on one leaf's box from the given starts; the best run. */
  #solveLeaf(
    pieces: Piece[][],
    leaf: Int32Array,
    starts: Float64Array[],
    optimiser: MinimizeOptions | undefined,
  ): LeafResult {
    const n = this.#n;
    const objective = this.objective;
    const lower = zeros(n);
    const upper = zeros(n);
    for (let i = 0; i < n; i++) {
      const p = pieces[i]![leaf[i]!]!;
      lower[i] = p.lo;
      upper[i] = p.hi;
      objective.floored[i] = p.floored ? 1 : 0;
    }
    objective.setBox(lower, upper);
    // one Hessian buffer for every Newton step (the optimiser reads it within the step only)
    if (!this.largeModelHessian) this.#hessianBuffer ??= zeros(n * n);
    const hessianBuffer = this.largeModelHessian ? undefined : this.#hessianBuffer;
    let best: LeafResult | undefined;
    let firstMinimum: { theta: Float64Array; value: number } | undefined;
    for (const x0 of starts) {
      const result = minimize(
        {
          objective: (x, grad) => objective.f(x, grad),
          ...(this.largeModelHessian
            ? { hessianOperator: this.largeModelHessian }
            : { hessian: (x: Float64Array) => objective.hessian(x, hessianBuffer) }),
          maxStep: (x, d) => objective.maxStep(x, d),
          x0,
          lower,
          upper,
        },
        optimiser,
      );
      const { theta, value } = this.#snapToFaces(result.x, result.fun, lower, upper);
      if (result.converged) {
        // two converged starts that end apart (in θ or in F): F has competing basins on this leaf
        if (firstMinimum === undefined) firstMinimum = { theta, value };
        else if (apart(firstMinimum.theta, firstMinimum.value, theta, value)) this.#distinctMinima = true;
      }
      const better =
        best === undefined ||
        (result.converged && !best.converged) ||
        (result.converged === best.converged && value < best.value);
      if (better) {
        best = {
          theta,
          value,
          leaf: Int32Array.from(leaf),
          converged: result.converged,
          message: result.message,
        };
      }
    }
    return best as LeafResult;
  }

  /**
   * Local search from `start` on `leaf`: minimise on the box, then move every bin whose minimiser
   * sits on a cut with a downhill one-sided derivative into the neighbouring piece, and repeat.
   */
  #localSearch(
    pieces: Piece[][],
    leaf: Int32Array,
    start: Float64Array,
    centre: Float64Array,
    visited: Set<string>,
    optimiser: MinimizeOptions | undefined,
  ): LeafResult {
    const n = this.#n;
    const objective = this.objective;
    const current = Int32Array.from(leaf);
    let x = this.#startIn(pieces, current, start);
    const gradient = zeros(n);
    const maxSwitches = MAX_SWITCHES_PER_BIN * n + 4;
    let result: LeafResult | undefined;
    for (let round = 0; round <= maxSwitches; round++) {
      visited.add(leafKey(current));
      const others = (): Float64Array[] => {
        const poisson = zeros(n);
        for (let i = 0; i < n; i++) poisson[i] = pieces[i]![current[i]!]!.hArgmin;
        return [this.#startIn(pieces, current, centre), poisson];
      };
      // several starts where hᵢ is not known to be convex; elsewhere more only when the first did
      // not converge
      const concave = hasNonConvexPiece(pieces, current);
      result = this.#solveLeaf(pieces, current, concave ? [x, ...others()] : [x], optimiser);
      if (!result.converged && !concave) {
        const retry = this.#solveLeaf(pieces, current, others(), optimiser);
        if ((retry.converged && !result.converged) || retry.value < result.value) result = retry;
      }
      // one-sided derivatives into the neighbouring pieces
      objective.constraintGradient(result.theta, gradient);
      const tolerance = (optimiser?.gradientTolerance ?? 1e-9) * sqrt(max(1, abs(result.value)));
      let moved = false;
      for (let i = 0; i < n; i++) {
        const p = pieces[i]![current[i]!]!;
        const t = result.theta[i]!;
        if (p.joinsBelow && t <= p.lo) {
          const below = pieces[i]![current[i]! - 1]!;
          objective.binTerm(i, t, below.floored, this.#scratch, -1);
          if (this.#scratch[1]! + gradient[i]! > tolerance) {
            current[i] = current[i]! - 1;
            moved = true;
          }
        } else if (p.joinsAbove && t >= p.hi) {
          const above = pieces[i]![current[i]! + 1]!;
          objective.binTerm(i, t, above.floored, this.#scratch, 1);
          if (this.#scratch[1]! + gradient[i]! < -tolerance) {
            current[i] = current[i]! + 1;
            moved = true;
          }
        }
      }
      if (!moved) return result;
      x = result.theta;
    }
    const last = result as LeafResult;
    return { ...last, converged: false, message: "moves between neighbouring pieces did not settle" };
  }
}

/** Two local minima differ: θ by more than 1e-6 (relative to 1 + |θ|) or F by more than 1e-9 relative. */
function apart(x: Float64Array, fx: number, y: Float64Array, fy: number): boolean {
  if (abs(fx - fy) > 1e-9 * max(1, abs(fx))) return true;
  for (let i = 0; i < x.length; i++) if (abs(x[i]! - y[i]!) > 1e-6 * (1 + abs(x[i]!))) return true;
  return false;
}

function leafKey(leaf: Int32Array): string {
  return leaf.join(",");
}

function hasNonConvexPiece(pieces: Piece[][], leaf: Int32Array): boolean {
  for (let i = 0; i < leaf.length; i++) if (pieces[i]![leaf[i]!]!.curvature !== "convex") return true;
  return false;
}

function clampToLeaf(pieces: Piece[][], leaf: Int32Array, x: Float64Array): Float64Array {
  const out = zeros(leaf.length);
  for (let i = 0; i < leaf.length; i++) {
    const p = pieces[i]![leaf[i]!]!;
    out[i] = min(max(x[i]!, p.lo), p.hi);
  }
  return out;
}

function minOther(row: Float64Array, own: number): number {
  let m = Number.POSITIVE_INFINITY;
  for (let k = 0; k < row.length; k++) if (k !== own && row[k]! < m) m = row[k]!;
  return m;
}
