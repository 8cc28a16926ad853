import { describe, expect, it } from 'vitest';
import { claimHolds, instrumentClaims, malformedClaims } from './claims.js';

describe('printed claims of documentation snippets', () => {
  it('checks each number to the precision it is written with', () => {
    expect(claimHolds('0.5714285714285714', '0.5714…')).toBe(true);
    expect(claimHolds('0.5715', '0.5714…')).toBe(false);
    expect(claimHolds('0.4882', '0.488')).toBe(true);
    expect(claimHolds('0.4886', '0.488')).toBe(false);
    expect(claimHolds('1.0000000000000002', '1')).toBe(true);
    expect(claimHolds('0.9', '1')).toBe(false);
    expect(claimHolds('-0.25', '0.25')).toBe(false);
    expect(claimHolds('[ 0.9981, 0.9937 ]', '[0.998, 0.994]')).toBe(true);
  });

  it('compares the text between numbers, ignoring white space', () => {
    expect(claimHolds('wasm', 'wasm')).toBe(true);
    expect(claimHolds('cpu', 'wasm')).toBe(false);
    expect(claimHolds('1 NaN', '1 NaN')).toBe(true);
    expect(claimHolds('1 2', '1')).toBe(false);
    expect(claimHolds('737280 [ 3, 6, 40, 32, 32 ]', '737280 [3, 6, 40, 32, 32]')).toBe(true);
  });

  it('instruments one-line console.log claims and flags the others', () => {
    const code = "const x = 1;\nconsole.log(x, 2); // → 1 2\nconsole.log(x); // not a claim\nfoo(); // → 3\n";
    const out = instrumentClaims(code);
    expect(out.claims).toBe(1);
    expect(out.code.split('\n')[1]).toBe('__docClaim(1, "1 2", x, 2);');
    expect(malformedClaims(code)).toEqual([3]);
  });
});
