/** Formats rows as an aligned text table (first row is the header). Numbers get `digits` decimals. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[], digits = 3): string {
  const cells = [header.map(String), ...rows.map((r) => r.map((v) => (v === undefined ? '–' : typeof v === 'number' ? formatNumber(v, digits) : v)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  const sep = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(cells[0]), sep, ...cells.slice(1).map(line)].join('\n');
}

export function formatNumber(v: number, digits = 3): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  // Float dust (e.g. 1 − 1 in an entropy) reads as 0, not as a tiny negative number.
  if (Math.abs(v) < 1e-12) return (0).toFixed(digits);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 10 ** -digits)) return v.toExponential(2);
  return v.toFixed(digits);
}
