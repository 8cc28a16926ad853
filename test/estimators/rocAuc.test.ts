import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binaryRocAuc, rocAucOneVsRestMacro } from '../../src/estimators/rocAuc.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { Matrix } from '../../src/core/matrix.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/linear.json', import.meta.url), 'utf8'));
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('rocAucOneVsRestMacro', () => {
  it('matches scikit-learn roc_auc_score(average="macro") on tied scores', () => {
    for (const c of fixtures.roc) {
      const k = c.proba[0].length;
      const auc = rocAucOneVsRestMacro(mat(c.proba), Int32Array.from(c.y), Int32Array.from({ length: k }, (_, i) => i));
      expect(auc).toBeCloseTo(c.auc, 12);
    }
  });
  it('hand case: perfect, reversed and tied rankings', () => {
    expect(binaryRocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(binaryRocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(binaryRocAuc([0.5, 0.5, 0.5], [true, false, false])).toBe(0.5);
    // one positive above one negative, tied with the other: (1 + 0.5) / 2
    expect(binaryRocAuc([0.3, 0.5, 0.5], [false, true, false])).toBe(0.75);
  });
  it('is invariant to monotone transforms of the scores', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 2, maxLength: 30 }), (pairs) => {
        const s = pairs.map((p) => p[0]);
        const pos = pairs.map((p) => p[1]);
        const a = binaryRocAuc(s, pos);
        const b = binaryRocAuc(s.map((v) => Math.exp(v / 4) - 7), pos);
        if (Number.isNaN(a)) expect(Number.isNaN(b)).toBe(true);
        else expect(b).toBeCloseTo(a, 12);
      }),
    );
  });
  it('throws like scikit-learn when a class has no positives, or skips it on request', () => {
    const p = mat([[0.9, 0.1, 0], [0.2, 0.8, 0], [0.6, 0.4, 0]]);
    const y = Int32Array.from([0, 1, 0]);
    const classes = Int32Array.from([0, 1, 2]);
    expect(() => rocAucOneVsRestMacro(p, y, classes)).toThrow(DisentangleError);
    expect(rocAucOneVsRestMacro(p, y, classes, { undefinedClass: 'skip' })).toBe(1);
    expect(() => rocAucOneVsRestMacro(p, Int32Array.from([0, 1]), classes)).toThrow(DisentangleError);
  });
});
