/**
 * Explicitness from loss–capacity curves (Eastwood et al. 2023, "DCI-ES: An Extended Disentanglement Framework
 * with Connections to Identifiability", ICLR), with the arithmetic of andreinicolicioiu/DCI-ES
 * `metrics/explitcitness.py`: each curve is made monotone by its running minimum, curves that stop short are
 * extended flat to the largest capacity of the set, and E = 1 − 2·(area between the curve and its lowest loss) /
 * ((max capacity − min capacity) · baseline loss), the area by the trapezoid rule.
 */
import { DisentangleError } from '../core/errors.js';

/** One probe family's losses for one target, at increasing capacities. */
export interface LossCapacityCurve {
  /** Capacities (x), increasing. */
  capacity: readonly number[];
  /** Held-out loss of the probe at each capacity (y). */
  loss: readonly number[];
  /** Loss of the best capacity-free guess (the mean, or the majority class); default 1. */
  baselineLoss?: number;
}

/** A curve after the reference's two steps: running minimum, then the flat extension to the common maximum. */
export interface PreparedCurve {
  capacity: number[];
  loss: number[];
}

function checkCurve(curve: LossCapacityCurve, index: number): void {
  const { capacity, loss } = curve;
  const where = `curves[${index}]`;
  if (capacity.length === 0) throw new DisentangleError('EMPTY', where, 'has no points');
  if (capacity.length !== loss.length) {
    throw new DisentangleError('SHAPE_MISMATCH', where, `has ${capacity.length} capacities and ${loss.length} losses`);
  }
  for (let i = 0; i < capacity.length; i++) {
    if (!Number.isFinite(capacity[i]) || !Number.isFinite(loss[i])) {
      throw new DisentangleError('NON_FINITE', where, `point ${i} is (${capacity[i]}, ${loss[i]})`);
    }
    if (i > 0 && !(capacity[i] > capacity[i - 1])) {
      throw new DisentangleError('BAD_INPUT', where, `capacities must increase (point ${i}: ${capacity[i]} after ${capacity[i - 1]})`);
    }
  }
  const b = curve.baselineLoss ?? 1;
  if (!(b > 0) || !Number.isFinite(b)) throw new DisentangleError('BAD_INPUT', where, `baselineLoss is ${b}; it must be > 0`);
}

/**
 * The curves as the explicitness formula reads them: losses replaced by their running minimum (the best loss
 * reached up to that capacity), and a last point at the set's largest capacity with the last loss for every curve
 * that ends before it (the probe is assumed to have converged).
 */
export function prepareCurves(curves: readonly LossCapacityCurve[]): PreparedCurve[] {
  curves.forEach(checkCurve);
  const maxCapacity = Math.max(...curves.map((c) => c.capacity[c.capacity.length - 1]));
  return curves.map(({ capacity, loss }) => {
    const x = [...capacity];
    const y: number[] = [];
    let best = Infinity;
    for (const l of loss) y.push((best = Math.min(best, l)));
    if (x[x.length - 1] < maxCapacity) {
      x.push(maxCapacity);
      y.push(y[y.length - 1]);
    }
    return { capacity: x, loss: y };
  });
}

/** Trapezoid area between a prepared curve and its own lowest loss. */
export function areaAboveMinimum(curve: PreparedCurve): number {
  const { capacity: x, loss: y } = curve;
  const floor = Math.min(...y);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += 0.5 * (y[i - 1] - floor + (y[i] - floor)) * (x[i] - x[i - 1]);
  return area;
}

/**
 * Explicitness of each curve of a set, E = 1 − 2·A / ((κ_max − κ_min)·ℓ_b): A the area between the prepared
 * curve and its lowest loss, κ_max and κ_min the largest and smallest capacity over the whole set, ℓ_b the curve's
 * baseline loss (the optimal loss ℓ* is taken as 0 in the denominator, as the reference does). E = 1 for a probe
 * at its best loss already at the smallest capacity, 0 for a straight line from the baseline down, −1 for one that
 * stays at the baseline until the largest capacity. A set whose capacities span a single value has no area to
 * normalise by: every E is 1 there (the reference divides 0 by 0).
 *
 * @example
 * explicitnessOfCurves([{ capacity: [1, 2, 3], loss: [1, 0.5, 0] }]) // [0]: a straight line from the baseline
 */
export function explicitnessOfCurves(curves: readonly LossCapacityCurve[]): number[] {
  if (curves.length === 0) return [];
  const prepared = prepareCurves(curves);
  const minCapacity = Math.min(...curves.map((c) => c.capacity[0]));
  const maxCapacity = prepared[0].capacity[prepared[0].capacity.length - 1];
  const span = maxCapacity - minCapacity;
  return prepared.map((curve, j) => {
    if (span === 0) return 1;
    return 1 - (2 * areaAboveMinimum(curve)) / (span * (curves[j].baselineLoss ?? 1));
  });
}
