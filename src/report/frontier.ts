/** The Pareto frontier of settings in (latency, cost): both are to be minimised. Pure. */

/** A setting's position: mean latency and mean cost per task (any units, the same for every point). */
export interface FrontierPoint {
  name: string;
  latency: number;
  cost: number;
}

/** True when `a` dominates `b`: no worse in both latency and cost, and strictly better in one. */
export function dominates(a: FrontierPoint, b: FrontierPoint): boolean {
  return a.latency <= b.latency && a.cost <= b.cost && (a.latency < b.latency || a.cost < b.cost);
}

/**
 * The names of the points no other point dominates, fastest first (ties by cost, then by input order). Two
 * identical points are both on the frontier. Points with a non-finite coordinate are never on it.
 */
export function paretoFrontier(points: readonly FrontierPoint[]): string[] {
  const finitePoints = points.filter((point) => Number.isFinite(point.latency) && Number.isFinite(point.cost));
  const kept = finitePoints
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => !finitePoints.some((other) => dominates(other, point)));
  kept.sort((a, b) => a.point.latency - b.point.latency || a.point.cost - b.point.cost || a.index - b.index);
  return kept.map(({ point }) => point.name);
}
