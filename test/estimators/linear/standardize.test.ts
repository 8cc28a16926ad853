import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { standardScaler } from '../../../src/estimators/linear/standardize.js';
import { DisentangleError } from '../../../src/core/errors.js';
import type { Matrix } from '../../../src/core/matrix.js';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/linear.json', import.meta.url), 'utf8'));
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('standardScaler', () => {
  it('matches scikit-learn StandardScaler, constant column scale 1', () => {
    const c = fixtures.scaler;
    const s = standardScaler(mat(c.x));
    (c.mean as number[]).forEach((v, j) => expect(s.mean[j]).toBeCloseTo(v, 12));
    (c.scale as number[]).forEach((v, j) => expect(s.scale[j]).toBeCloseTo(v, 12));
    expect(s.scale[2]).toBe(1);
    const t = s.transform(mat(c.xTest));
    (c.transformed.flat() as number[]).forEach((v, i) => expect(t.data[i]).toBeCloseTo(v, 10));
  });
  it('gives train columns mean 0 and population std 1', () => {
    const s = standardScaler(mat([[1, 10], [2, 20], [3, 60]]));
    const t = s.transform(mat([[1, 10], [2, 20], [3, 60]]));
    for (let j = 0; j < 2; j++) {
      const col = [0, 1, 2].map((i) => t.data[i * 2 + j]);
      const m = col.reduce((a, b) => a + b) / 3;
      expect(m).toBeCloseTo(0, 12);
      expect(col.reduce((a, b) => a + (b - m) ** 2, 0) / 3).toBeCloseTo(1, 12);
    }
  });
  it('rejects an empty fit and a width mismatch', () => {
    expect(() => standardScaler({ data: new Float64Array(0), rows: 0, cols: 2 })).toThrow(DisentangleError);
    expect(() => standardScaler(mat([[1, 2]])).transform(mat([[1]]))).toThrow(DisentangleError);
  });
});
