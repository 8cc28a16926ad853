/**
 * Limited-memory BFGS (Nocedal 1980) with an Armijo backtracking line search, for smooth convex objectives,
 * optionally preconditioned (the two-loop recursion's initial inverse Hessian is γ·M⁻¹ instead of γ·I).
 */

/** Applies M⁻¹ (symmetric positive definite) to `g`, writing the result into `out`. */
export type InversePreconditioner = (g: Float64Array, out: Float64Array) => void;

/** Options of {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  maxIter: number;
  /** Stop when the largest gradient entry is ≤ tol. */
  tol: number;
  /** Curvature pairs kept (default 10). */
  memory?: number;
  /**
   * Builds M⁻¹ from the iterate once `afterIterations` iterations have run. The curvature pairs collected so far
   * stay valid (they do not depend on M), so only the initial scaling of later directions changes. `build` may
   * return undefined (no usable M), and the run goes on unpreconditioned.
   */
  precondition?: { afterIterations: number; build: (x: Float64Array) => InversePreconditioner | undefined };
}

/** Result of {@link minimizeLbfgs}: the last iterate, its objective, iterations, and whether `tol` was met. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  nIter: number;
  converged: boolean;
  /** Objective/gradient evaluations, line-search trials included. */
  nEval: number;
}

/**
 * Minimizes `evaluate`, which writes the gradient into `grad` and returns the objective. Stops when the largest
 * gradient entry is ≤ `tol`, when the objective stops decreasing, or after `maxIter` iterations.
 */
export function minimizeLbfgs(evaluate: (x: Float64Array, grad: Float64Array) => number, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const pairs = new CurvaturePairs(n, options.memory ?? 10);
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const d = new Float64Array(n);
  let nEval = 1;
  let f = evaluate(x, g);
  let applyInverse: InversePreconditioner | undefined;
  let stalls = 0;
  const done = (nIter: number, converged: boolean): LbfgsResult => ({ x, f, nIter, converged, nEval });
  if (maxAbs(g) <= options.tol) return done(0, true);
  for (let iter = 0; iter < options.maxIter; iter++) {
    if (options.precondition && iter === options.precondition.afterIterations) applyInverse = options.precondition.build(x);
    pairs.direction(g, d, applyInverse);
    let gd = dot(g, d);
    if (!(gd < 0)) {
      pairs.clear();
      for (let i = 0; i < n; i++) d[i] = -g[i];
      gd = dot(g, d);
    }
    // The raw gradient has no scale: a unit-length first trial keeps it sane. Any other direction (a preconditioned
    // one included) is a Newton-like step, for which the unit step is the natural first trial.
    let step = pairs.size === 0 && !applyInverse ? Math.min(1, 1 / Math.sqrt(-gd)) : 1;
    let fNew = NaN;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = evaluate(xNew, gNew);
      nEval++;
      if (fNew <= f + 1e-4 * step * gd) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) return done(iter, false); // no decrease possible at float precision
    pairs.push(x, xNew, g, gNew);
    const decrease = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (maxAbs(g) <= options.tol) return done(iter + 1, true);
    stalls = decrease <= 1e-16 * Math.max(1, Math.abs(f)) ? stalls + 1 : 0;
    if (stalls >= 3) return done(iter + 1, true);
  }
  return done(options.maxIter, false);
}

/** The last `memory` (s, y) pairs in a ring buffer, and the two-loop recursion over them. */
class CurvaturePairs {
  private readonly s: Float64Array[];
  private readonly y: Float64Array[];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private readonly scratch: Float64Array;
  private start = 0;
  size = 0;

  constructor(
    private readonly n: number,
    private readonly memory: number,
  ) {
    this.s = Array.from({ length: memory }, () => new Float64Array(n));
    this.y = Array.from({ length: memory }, () => new Float64Array(n));
    this.rho = new Float64Array(memory);
    this.alpha = new Float64Array(memory);
    this.scratch = new Float64Array(n);
  }

  clear(): void {
    this.size = 0;
    this.start = 0;
  }

  /** Stores s = xNew − x, y = gNew − g, unless sᵀy is not positive (no curvature information). */
  push(x: Float64Array, xNew: Float64Array, g: Float64Array, gNew: Float64Array): void {
    const slot = (this.start + this.size) % this.memory;
    const s = this.s[slot];
    const y = this.y[slot];
    for (let i = 0; i < this.n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (!(sy > 1e-300)) return;
    this.rho[slot] = 1 / sy;
    if (this.size === this.memory) this.start = (this.start + 1) % this.memory;
    else this.size++;
  }

  /** d = −H·g, H the L-BFGS inverse-Hessian estimate with initial matrix γ·M⁻¹ (M = I without a preconditioner). */
  direction(g: Float64Array, d: Float64Array, applyInverse: InversePreconditioner | undefined): void {
    const { n, memory, s, y, rho, alpha, scratch } = this;
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = this.size - 1; k >= 0; k--) {
      const slot = (this.start + k) % memory;
      alpha[slot] = rho[slot] * dot(s[slot], d);
      axpy(-alpha[slot], y[slot], d);
    }
    if (this.size > 0 || applyInverse) {
      const last = (this.start + this.size - 1 + memory) % memory;
      if (applyInverse) {
        applyInverse(d, scratch);
        d.set(scratch);
      }
      if (this.size > 0) {
        // γ = sᵀy / yᵀM⁻¹y: the scale of the latest pair, measured in the preconditioned metric.
        const yHy = applyInverse ? (applyInverse(y[last], scratch), dot(y[last], scratch)) : dot(y[last], y[last]);
        const gamma = 1 / (rho[last] * yHy);
        for (let i = 0; i < n; i++) d[i] *= gamma;
      }
    }
    for (let k = 0; k < this.size; k++) {
      const slot = (this.start + k) % memory;
      const beta = rho[slot] * dot(y[slot], d);
      axpy(alpha[slot] - beta, s[slot], d);
    }
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
