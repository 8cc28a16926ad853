import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spearmanCorrelation } from '../../src/estimators/rankCorrelation.js';
import { modelCentrality } from '../../src/selection/modelCentrality.js';
import { udr } from '../../src/selection/udr.js';
import { makePopulation, supervisedScores } from '../helpers/populations.js';

// Smaller than InfoGAN-CR's 500 groups × 100 and 73,728 scale samples, to keep the file under a minute.
const sizes = { groups: 200, groupSize: 50, scaleSetSize: 5000, batchSize: 1000 };
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

describe('synthetic populations (test/helpers/populations.ts)', () => {
  it('the truth encoder scores 1 on the truth data; an entangled, collapsed model scores lower', async () => {
    const pop = makePopulation({ seed: 1, size: 1 });
    const self = await modelCentrality({ models: [pop.truth, pop.truth], ...sizes });
    expect(self.pairwise[0][1]).toBe(1);
    const hard = makePopulation({ seed: 1, size: 4, maxAngle: Math.PI / 4, collapseProb: 0.6 });
    const sup = await supervisedScores(hard, sizes);
    hard.models.forEach((m, i) => m.collapsed.length > 0 && expect(sup[i]).toBeLessThan(1));
  });

  // Not a law: on the benchmark's 10 ICR-sized populations the pick was at or above the median 9 times out of 10
  // (population seed 9 picks 0.765 against a median of 0.7875; benchmarks/results/model-selection.json). The
  // fast-check seed is fixed so the run is reproducible; a failure under another seed is not by itself a bug.
  it("ModelCentrality's pick scores at or above the population median, and centrality tracks the supervised score", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), async (seed) => {
        const pop = makePopulation({ seed, size: 8 });
        const sup = await supervisedScores(pop, sizes);
        const mc = await modelCentrality({ models: pop.models.map((m) => m.model), ...sizes, seed });
        expect(sup[mc.selected]).toBeGreaterThanOrEqual(median(sup));
        // Undefined when every model has the same supervised score; fast-check then tries another seed.
        fc.pre(new Set(sup).size > 1);
        expect(spearmanCorrelation(mc.centrality, sup)).toBeGreaterThan(0);
      }),
      { numRuns: 5, seed: 20261123 },
    );
  }, 60_000);

  it('UDR (lasso and spearman) gives every model of a population a finite score in [0, 1]', async () => {
    const pop = makePopulation({ seed: 2, size: 5 });
    for (const correlation of ['lasso', 'spearman'] as const) {
      const r = await udr({ models: pop.models.map((m) => m.udr), dataset: pop.dataset, correlation, numDataPoints: 500 });
      for (const s of r.scores) {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
      // Collapsed dims (σ ≈ 1, μ ≈ 0) fall under the KL threshold; informative ones (σ = 0.1) stay.
      pop.models.forEach((m, i) => m.collapsed.forEach((k) => expect(r.active[i][k]).toBe(false)));
      expect(r.active.flat().filter(Boolean).length).toBe(pop.models.reduce((s, m) => s + 4 - m.collapsed.length, 0));
    }
  });
});
