import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { argmaxRows, checkClassLabels, encodeLabels } from '../../src/estimators/labels.js';
import { DisentangleError } from '../../src/core/errors.js';

describe('encodeLabels', () => {
  it('sorts classes like scikit-learn (np.unique order) and counts them', () => {
    const r = encodeLabels(Int32Array.of(7, 3, 7, 10));
    expect(r.classes).toBeInstanceOf(Int32Array);
    expect(Array.from(r.classes)).toEqual([3, 7, 10]);
    expect(Array.from(r.index)).toEqual([1, 0, 1, 2]);
    expect(Array.from(r.counts)).toEqual([1, 2, 1]);
  });
  it('handles negative, sparse and non-integer labels the same way (lookup table or sorted map)', () => {
    const sparse = encodeLabels([1e9, -5, 1e9, 0]);
    expect(sparse.classes).toBeInstanceOf(Float64Array);
    expect(Array.from(sparse.classes)).toEqual([-5, 0, 1e9]);
    expect(Array.from(sparse.index)).toEqual([2, 0, 2, 1]);
    const frac = encodeLabels(Float64Array.of(0.5, -1.25, 0.5));
    expect(Array.from(frac.classes)).toEqual([-1.25, 0.5]);
    expect(Array.from(frac.counts)).toEqual([1, 2]);
    expect(encodeLabels([]).classes.length).toBe(0);
  });
  it('classes[index[i]] gives back every label, and classes are strictly increasing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3000, max: 3000 }), { maxLength: 60 }), (values) => {
        const y = Int32Array.from(values);
        const { classes, index, counts } = encodeLabels(y);
        y.forEach((v, i) => expect(classes[index[i]]).toBe(v));
        for (let k = 1; k < classes.length; k++) expect(classes[k]).toBeGreaterThan(classes[k - 1]);
        expect(Array.from(counts).reduce((a, b) => a + b, 0)).toBe(y.length);
        expect(Array.from(classes)).toEqual([...new Set(values)].sort((a, b) => a - b));
      }),
    );
  });
  it('checkClassLabels rejects labels that are not one Int32Array label per row', () => {
    expect(() => checkClassLabels(Int32Array.of(1, 2), 3, 'test')).toThrow(DisentangleError);
    expect(() => checkClassLabels([1, 2] as never, 2, 'test')).toThrow(DisentangleError);
    expect(() => checkClassLabels(new Int32Array(0), 0, 'test')).toThrow(DisentangleError);
    expect(() => checkClassLabels(Int32Array.of(1, 2), 2, 'test')).not.toThrow();
  });
});

describe('argmaxRows', () => {
  const classes = Int32Array.of(4, 8, 9);
  it('takes the first maximum of each row (numpy argmax)', () => {
    const scores = { data: Float64Array.of(0.1, 0.7, 0.2, 0.5, 0.5, 0, -1, -2, -1), rows: 3, cols: 3 };
    expect(Array.from(argmaxRows(scores, classes))).toEqual([8, 4, 4]);
  });
  it('reads one column with two classes as a decision function: > 0 is the second class', () => {
    const z = { data: Float64Array.of(-0.1, 0, 2), rows: 3, cols: 1 };
    expect(Array.from(argmaxRows(z, Int32Array.of(0, 1)))).toEqual([0, 0, 1]);
  });
  it('refuses scores whose width is not the number of classes', () => {
    expect(() => argmaxRows({ data: new Float64Array(4), rows: 2, cols: 2 }, classes)).toThrow(DisentangleError);
  });
});
