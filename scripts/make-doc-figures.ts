/**
 * Documentation figures from a real run of the demo (quick sizes): docs/images/metrics-chart.svg (every bounded
 * metric across the reference representations and the shipped models) and docs/images/selection-heatmap.svg
 * (ModelCentrality's symmetrized cross-evaluation matrix of the shipped population), plus traversals of the
 * shipped models in docs/images/traversals/. Run: npx tsx scripts/make-doc-figures.ts
 */
import { mkdirSync } from 'node:fs';
import { setupBackend } from '../src/core/backend.js';
import { runDemo, type DemoResults } from '../src/cli/demo.js';
import { writeFileAtomic } from '../src/core/files.js';

const COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Grouped bar chart of the metrics whose range is [0, 1]. */
function metricsChart(r: DemoResults): string {
  const bounded = r.metrics.filter((m) => !m.column.endsWith('↓'));
  const reps = r.representations;
  const groupW = 24 + reps.length * 9;
  const left = 40;
  const top = 20;
  const h = 220;
  const width = left + bounded.length * groupW + 20;
  const legendY = top + h + 60;
  const height = legendY + reps.length * 16 + 10;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const y = top + h - (t / 4) * h;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${(t / 4).toFixed(2)}</text>`);
  }
  bounded.forEach((m, g) => {
    const x0 = left + g * groupW + 12;
    reps.forEach((rep, k) => {
      const v = Math.max(0, Math.min(1, r.values[rep]?.[m.id]?.[m.field] ?? 0));
      parts.push(`<rect x="${x0 + k * 9}" y="${top + h - v * h}" width="8" height="${v * h}" fill="${COLORS[k % COLORS.length]}"><title>${esc(rep)} · ${esc(m.column)}: ${v.toFixed(3)}</title></rect>`);
    });
    parts.push(`<text x="${x0 + (reps.length * 9) / 2}" y="${top + h + 16}" text-anchor="middle">${esc(m.column)}</text>`);
  });
  reps.forEach((rep, k) => {
    parts.push(`<rect x="${left}" y="${legendY + k * 16 - 9}" width="10" height="10" fill="${COLORS[k % COLORS.length]}"/><text x="${left + 16}" y="${legendY + k * 16}">${esc(rep)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

/** Heat map of ModelCentrality's symmetric matrix per family, with the centrality beside each row. */
function selectionHeatmap(r: DemoResults): string {
  const s = r.selection;
  if (!s) return '';
  const cell = 56;
  const left = 130;
  const parts: string[] = [];
  let top = 30;
  let widest = 0;
  for (const fam of s.families) {
    const n = fam.members.length;
    widest = Math.max(widest, n);
    fam.members.forEach((mi, i) => {
      parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(s.models[mi])}</text>`);
      parts.push(`<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="9">${esc(s.models[mi])}</text>`);
      for (let j = 0; j < n; j++) {
        const v = fam.symmetric[i][j];
        const shade = Math.round(255 - Math.max(0, Math.min(1, v)) * 200);
        const fill = i === j ? '#eee' : `rgb(${shade},${shade},255)`;
        parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"/>`);
        if (i !== j) parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle">${v.toFixed(2)}</text>`);
      }
      const c = s.centrality[mi];
      parts.push(`<text x="${left + n * cell + 8}" y="${top + i * cell + cell / 2 + 4}">centrality ${c === undefined ? '–' : c.toFixed(3)}${mi === fam.picks.modelCentrality ? ' ◀ selected' : ''}</text>`);
    });
    top += n * cell + 40;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + widest * cell + 190}" height="${top}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

await setupBackend();
mkdirSync('docs/images/traversals', { recursive: true });
const results = await runDemo({ quick: true, outDir: 'docs/images/traversals', quiet: true, silent: true });
await writeFileAtomic('docs/images/metrics-chart.svg', metricsChart(results));
if (results.selection) await writeFileAtomic('docs/images/selection-heatmap.svg', selectionHeatmap(results));
await writeFileAtomic('docs/images/demo-results.json', `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote docs/images/metrics-chart.svg, selection-heatmap.svg, demo-results.json and traversals/');
