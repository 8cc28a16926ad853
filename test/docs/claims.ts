/**
 * Printed claims of documentation snippets. A snippet line `console.log(expr); // → 0.8` claims what it prints;
 * `instrumentClaims` rewrites such lines so that running the snippet records what was printed beside the claim,
 * and `claimHolds` compares the two. A number in a claim is checked to the precision it is written with
 * (`0.571` means 0.5705 ≤ x < 0.5715; `0.5714…` means x starts 0.5714; `3` means 3 up to rounding error); the
 * text between numbers must match, ignoring white space.
 */

/** The marker that turns a trailing comment into a checked claim. */
export const CLAIM_MARKER = '// →';

const CLAIM_LINE = /^(\s*)console\.log\((.*)\);?\s*\/\/ →\s*(.+?)\s*$/;

/** The global function instrumented snippets call; it prints like console.log and records the claim. */
export const CLAIM_FUNCTION = '__docClaim';

/** Rewrites `console.log(x); // → c` lines into `__docClaim(line, c, x);`; other lines are left as they are. */
export function instrumentClaims(code: string): { code: string; claims: number } {
  let claims = 0;
  const lines = code.split('\n').map((line, i) => {
    const m = CLAIM_LINE.exec(line);
    if (!m) return line;
    claims++;
    return `${m[1]}${CLAIM_FUNCTION}(${i}, ${JSON.stringify(m[3])}, ${m[2]});`;
  });
  return { code: lines.join('\n'), claims };
}

/** A lines that carries the claim marker but is not of the form the instrumentation understands. */
export function malformedClaims(code: string): number[] {
  return code.split('\n').flatMap((line, i) => (line.includes(CLAIM_MARKER) && !CLAIM_LINE.test(line) ? [i] : []));
}

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(…)?/gi;

interface Parts {
  numbers: { value: number; decimals: number; truncated: boolean }[];
  text: string[];
}

function split(s: string): Parts {
  const numbers: Parts['numbers'] = [];
  const text: string[] = [];
  let last = 0;
  for (const m of s.matchAll(NUMBER)) {
    text.push(s.slice(last, m.index).replace(/\s+/g, ''));
    const literal = m[0].replace('…', '');
    const decimals = /\.(\d+)/.exec(literal.split(/e/i)[0])?.[1].length ?? 0;
    numbers.push({ value: Number(literal), decimals, truncated: m[1] !== undefined });
    last = (m.index ?? 0) + m[0].length;
  }
  text.push(s.slice(last).replace(/\s+/g, ''));
  return { numbers, text };
}

/** Whether the printed text satisfies the claim (see the module comment). */
export function claimHolds(printed: string, claim: string): boolean {
  const p = split(printed);
  const c = split(claim);
  if (p.numbers.length !== c.numbers.length || p.text.join('|') !== c.text.join('|')) return false;
  return c.numbers.every((want, i) => {
    const got = p.numbers[i].value;
    if (want.truncated) {
      const step = 10 ** -want.decimals;
      return Math.abs(got) >= Math.abs(want.value) - 1e-12 && Math.abs(got) < Math.abs(want.value) + step && Math.sign(got) === Math.sign(want.value);
    }
    if (want.decimals === 0) return Math.abs(got - want.value) <= 1e-9 * Math.max(1, Math.abs(want.value));
    return Math.abs(got - want.value) <= 0.5 * 10 ** -want.decimals + 1e-12;
  });
}
