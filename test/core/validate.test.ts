import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DisentangleError } from '../../src/core/errors.js';
import { MAX_BATCH_SIZE, MAX_SAMPLES, checkFactorSizes, checkFactorsWithinSizes, checkKnownOptions, checkOptions, checkSameWidths, closestName, enumOption, intOption, numberOption, readLabelledCodes, testAndOptions } from '../../src/core/validate.js';
import type { LabelledCodes } from '../../src/core/types.js';

function caught(fn: () => unknown): DisentangleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error('expected a DisentangleError');
}

describe('readLabelledCodes', () => {
  it('pairs codes and factors of any form', () => {
    const r = readLabelledCodes({ codes: [[0.5, 1], [2, 3]], factors: { data: Int32Array.of(1, 0), shape: [2, 1] } }, 'train', 'migFromCodes');
    expect([r.codes.rows, r.codes.cols, r.factors.rows, r.factors.cols]).toEqual([2, 2, 2, 1]);
    expect(Array.from(r.factors.data)).toEqual([1, 0]);
  });

  it('names train/test, the field and the function in every error', () => {
    const cases: [unknown, string, string][] = [
      [undefined, 'BAD_INPUT', 'train (in fn)'],
      [{ factors: [[0]] }, 'BAD_INPUT', 'train.codes (in fn)'],
      [{ codes: [[0]] }, 'BAD_INPUT', 'train.factors (in fn)'],
      [{ codes: [[0], [1]], factors: [[0]] }, 'SHAPE_MISMATCH', 'train.factors (in fn)'],
      [{ codes: [[NaN]], factors: [[0]] }, 'NON_FINITE', 'train.codes (in fn)'],
      [{ codes: [[0]], factors: [[1.5]] }, 'BAD_INPUT', 'train.factors (in fn)'],
    ];
    for (const [value, code, argument] of cases) {
      const e = caught(() => readLabelledCodes(value as LabelledCodes, 'train', 'fn'));
      expect([e.code, e.argument]).toEqual([code, argument]);
    }
  });

  it('checkSameWidths compares test with train', () => {
    const train = readLabelledCodes({ codes: [[0, 1]], factors: [[0]] }, 'train', 'fn');
    expect(() => checkSameWidths(train, readLabelledCodes({ codes: [[3, 4]], factors: [[1]] }, 'test', 'fn'), 'fn')).not.toThrow();
    const e1 = caught(() => checkSameWidths(train, readLabelledCodes({ codes: [[3]], factors: [[1]] }, 'test', 'fn'), 'fn'));
    expect([e1.code, e1.argument]).toEqual(['SHAPE_MISMATCH', 'test.codes (in fn)']);
    const e2 = caught(() => checkSameWidths(train, readLabelledCodes({ codes: [[3, 4]], factors: [[1, 1]] }, 'test', 'fn'), 'fn'));
    expect([e2.code, e2.argument]).toEqual(['SHAPE_MISMATCH', 'test.factors (in fn)']);
  });
});

describe('option helpers', () => {
  it('intOption returns the default or a checked integer', () => {
    expect(intOption(undefined, 'numBins', 20)).toBe(20);
    expect(intOption(5, 'numBins', 20, 2, 10)).toBe(5);
    for (const bad of [1.5, 0, 11, NaN, '3' as unknown as number]) {
      const e = caught(() => intOption(bad, 'numBins', 20, 1, 10));
      expect([e.code, e.argument]).toEqual(['BAD_OPTION', 'numBins']);
    }
  });

  it('numberOption accepts the closed interval only', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (v) => {
        const inside = v >= 0 && v <= 1;
        if (inside) expect(numberOption(v, 'q', 0.5, 0, 1)).toBe(v);
        else expect(caught(() => numberOption(v, 'q', 0.5, 0, 1)).code).toBe('BAD_OPTION');
      }),
    );
    expect(numberOption(undefined, 'q', 0.5)).toBe(0.5);
    expect(caught(() => numberOption(NaN, 'q', 0.5)).argument).toBe('q');
  });

  it('enumOption lists the allowed values in its message', () => {
    expect(enumOption(undefined, 'preset', ['a', 'b'] as const, 'a')).toBe('a');
    expect(enumOption('b', 'preset', ['a', 'b'] as const, 'a')).toBe('b');
    const e = caught(() => enumOption('c' as 'a', 'preset', ['a', 'b'] as const, 'a'));
    expect([e.code, e.argument]).toEqual(['BAD_OPTION', 'preset']);
    expect(e.message).toContain("'a', 'b'");
  });

  it('checkFactorSizes and checkFactorsWithinSizes', () => {
    expect(checkFactorSizes([3, 6], 'dataset.factorSizes')).toEqual([3, 6]);
    expect(caught(() => checkFactorSizes([], 'dataset.factorSizes')).code).toBe('EMPTY');
    expect(caught(() => checkFactorSizes(undefined, 'dataset.factorSizes')).code).toBe('EMPTY');
    const e = caught(() => checkFactorSizes([3, 0.5], 'dataset.factorSizes'));
    expect([e.code, e.argument]).toEqual(['BAD_INPUT', 'dataset.factorSizes']);
    const f = { data: Int32Array.of(0, 5, 2, 1), rows: 2, cols: 2 };
    expect(() => checkFactorsWithinSizes(f, [3, 6], 'factors')).not.toThrow();
    expect(caught(() => checkFactorsWithinSizes(f, [3, 5], 'factors')).code).toBe('BAD_INPUT');
    expect(caught(() => checkFactorsWithinSizes(f, [3], 'factors')).code).toBe('SHAPE_MISMATCH');
  });
});

describe('checkOptions', () => {
  it('accepts objects and refuses null, primitives, arrays and functions as BAD_OPTION naming options', () => {
    expect(() => checkOptions({}, 'fn')).not.toThrow();
    expect(() => checkOptions({ onProgress: () => {}, signal: new AbortController().signal }, 'fn')).not.toThrow();
    for (const bad of [null, undefined, 5, 'x', true, [], () => ({})]) {
      const e = caught(() => checkOptions(bad, 'computeMig'));
      expect([e.code, e.argument]).toEqual(['BAD_OPTION', 'options']);
      expect(e.message).toContain('computeMig');
    }
  });

  it('refuses an onProgress that is not a function and a signal that is not an AbortSignal', () => {
    for (const onProgress of [5, 'x', null, {}]) expect(caught(() => checkOptions({ onProgress }, 'fn')).argument).toBe('onProgress');
    for (const signal of [5, null, {}, { aborted: 'no' }, { aborted: false }]) expect(caught(() => checkOptions({ signal }, 'fn')).argument).toBe('signal');
  });
});

describe('intOption size limits', () => {
  it('caps batch sizes and sample counts whatever max the caller passes, naming the option', () => {
    expect(intOption(MAX_BATCH_SIZE, 'batchSize', 16)).toBe(MAX_BATCH_SIZE);
    for (const [name, value] of [['batchSize', 1e9], ['batchSize', MAX_BATCH_SIZE + 1], ['numTrain', MAX_SAMPLES + 1], ['numBins', 1e9], ['model.latentDims', 1e7]] as const) {
      const e = caught(() => intOption(value, name, 1));
      expect([e.code, e.argument]).toEqual(['BAD_OPTION', name]);
      expect(e.message).toMatch(/exhaust memory/);
    }
    // A tighter max given by the caller wins.
    expect(caught(() => intOption(5000, 'batchSize', 64, 2, 4096)).message).toContain('[2, 4096]');
    // Other options keep the caller's bounds.
    expect(intOption(1e12, 'iterations', 1, 0)).toBe(1e12);
  });
});

describe('checkKnownOptions', () => {
  const known = ['numTrain', 'numTest', 'batchSize', 'seed', 'preset'];
  const refusal = (o: object): DisentangleError | undefined => {
    try {
      checkKnownOptions(o, known, 'computeSap');
      return undefined;
    } catch (e) {
      return e as DisentangleError;
    }
  };

  it('passes known names and undefined values, refuses a misspelt name naming the closest valid one', () => {
    expect(refusal({ numTrain: 5, seed: 1, extra: undefined })).toBeUndefined();
    const e = refusal({ numTrian: 5 });
    expect(e).toBeInstanceOf(DisentangleError);
    expect(e).toMatchObject({ code: 'BAD_OPTION', argument: 'numTrian' });
    expect(e?.message).toMatch(/did you mean numTrain\?/);
    expect(refusal({ Preset: 'infogan-cr' })?.message).toMatch(/did you mean preset\?/);
    expect(refusal({ batchsize: 3 })?.message).toMatch(/did you mean batchSize\?/);
    // nothing near: the message lists what the function takes
    expect(refusal({ zzz: 1 })?.message).toMatch(/takes batchSize, numTest, numTrain, preset, seed/);
  });

  it('goes through checkOptions when a list is given, and is skipped without one', () => {
    expect(() => checkOptions({ numTrian: 1 }, 'computeSap', known)).toThrow(/numTrain/);
    expect(() => checkOptions({ numTrian: 1 }, 'computeSap')).not.toThrow();
  });

  it('closestName counts a transposition as one edit and keeps far names out', () => {
    expect(closestName('sedd', known)).toBe('seed');
    expect(closestName('numTets', known)).toBe('numTest');
    expect(closestName('estimator', known)).toBeUndefined();
  });
});

describe('testAndOptions', () => {
  const split: LabelledCodes = { codes: [[1]], factors: [[0]] };
  it('tells a test split from options in the second place', () => {
    expect(testAndOptions(split, { seed: 1 }, 'f')).toEqual({ test: split, options: { seed: 1 } });
    expect(testAndOptions({ preset: 'infogan-cr' }, undefined, 'f')).toEqual({ options: { preset: 'infogan-cr' } });
    expect(testAndOptions(undefined, { seed: 2 }, 'f')).toEqual({ test: undefined, options: { seed: 2 } });
    expect(testAndOptions(undefined, undefined, 'f')).toEqual({ test: undefined, options: {} });
    expect(() => testAndOptions({ seed: 1 }, { seed: 2 }, 'sapFromCodes')).toThrow(/both as its second and its third/);
  });
});
