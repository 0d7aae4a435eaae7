/**
 * Chains of grid points for `spey batch --warm-start`: each point but a chain's first starts its
 * fits from its predecessor's best fit. The chains are a pure function of the grid (consecutive
 * points in grid order, `chainLength` at a time), and a point's start is read from its
 * predecessor's result line, so a point's result does not depend on the number of workers, on
 * which points a worker computed before, or on whether the run was interrupted and resumed.
 */
import type { GridPoint } from "./grid.js";
import type { PointInput, ResultRecord } from "./task.js";

/** The chains of a whole grid: `chainLength` consecutive points at a time, in grid order. */
export function gridChains(points: readonly GridPoint[], chainLength: number): GridPoint[][] {
  const chains: GridPoint[][] = [];
  for (let head = 0; head < points.length; head += chainLength) chains.push(points.slice(head, head + chainLength));
  return chains;
}

/** Position of every point in its chain: the predecessor (undefined for a chain's first point). */
export function chainPredecessors(points: readonly GridPoint[], chainLength: number): Map<string, GridPoint> {
  const predecessor = new Map<string, GridPoint>();
  for (const chain of gridChains(points, chainLength)) {
    for (let j = 1; j < chain.length; j++) predecessor.set((chain[j] as GridPoint).key, chain[j - 1] as GridPoint);
  }
  return predecessor;
}

/**
 * The warm start a result line hands to its successor: the best fit's parameters, through a JSON
 * round trip (exactly what a resumed run reads back from the results file), or undefined when the
 * point failed (the successor then starts cold, as its own chain's first point).
 */
export function warmStartOf(record: ResultRecord | undefined): Record<string, number> | undefined {
  const parameters = record?.status === "ok" ? record.result?.bestFit?.parameters : undefined;
  return parameters ? (JSON.parse(JSON.stringify(parameters)) as Record<string, number>) : undefined;
}

/**
 * The pending points of a run in dependency order: a point is handed out once its predecessor is
 * finished (in the results file already, or computed by this run: {@link ChainQueue.finished}),
 * with the predecessor's best fit as its start. An iterator that may say "nothing now" and have
 * points again later; the pool asks again after every finished point.
 */
export class ChainQueue implements Iterable<PointInput> {
  private readonly ready: PointInput[] = [];
  /** Pending points waiting for their predecessor, by the predecessor's key. */
  private readonly waiting = new Map<string, GridPoint>();

  constructor(
    pending: readonly GridPoint[],
    predecessors: ReadonlyMap<string, GridPoint>,
    done: ReadonlyMap<string, ResultRecord>,
    private readonly toInput: (point: GridPoint, warmStart: Record<string, number> | undefined) => PointInput,
  ) {
    const pendingKeys = new Set(pending.map((p) => p.key));
    for (const point of pending) {
      const before = predecessors.get(point.key);
      if (before && pendingKeys.has(before.key)) this.waiting.set(before.key, point);
      else this.ready.push(toInput(point, before ? warmStartOf(done.get(before.key)) : undefined));
    }
  }

  /** A point's result is known: its successor, if it waits for it, becomes ready. */
  finished(key: string, record: ResultRecord): void {
    const next = this.waiting.get(key);
    if (!next) return;
    this.waiting.delete(key);
    this.ready.push(this.toInput(next, warmStartOf(record)));
  }

  [Symbol.iterator](): Iterator<PointInput> {
    return {
      next: () => {
        const value = this.ready.shift();
        return value === undefined ? { value: undefined, done: true } : { value, done: false };
      },
    };
  }
}
