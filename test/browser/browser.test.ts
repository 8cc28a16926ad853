/**
 * The library in a real browser: headless Chromium, tfjs WebGL backend (SwiftShader), procedural dSprites through
 * a tfjs encoder scored with computeFactorVaeMetric and migFromCodes; the numbers must match the same run in
 * Node (wasm backend). Needs Debian's chromium (.ci/run installs it): without it this file fails with the install
 * command, unless DISENTANGLE_SKIP_BROWSER=1 asks for an explicit skip.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { CHROMIUM, CHROMIUM_ARGS, bundleForBrowser, servePage } from './harness.js';
import { scoringRun, type ScoringRunResult } from './scoringRun.js';

const SKIP = process.env.DISENTANGLE_SKIP_BROWSER === '1';

describe.skipIf(SKIP)('browser build on WebGL', () => {
  let browserResult: ScoringRunResult & { error?: string };
  let nodeResult: ScoringRunResult;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('no chromium at /usr/bin/chromium: run `apt-get install -y chromium`, or set DISENTANGLE_SKIP_BROWSER=1 to skip this file');
    const { chromium } = await import('playwright-core');
    const script = await bundleForBrowser(resolve(__dirname, 'page.ts'));
    const server = await servePage(script);
    const t0 = Date.now();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 180_000, polling: 250 });
      browserResult = await page.evaluate(() => (window as unknown as { __result: ScoringRunResult & { error?: string } }).__result);
    } finally {
      await browser.close();
      await server.close();
    }
    const t1 = Date.now();
    await setupBackend(['wasm', 'cpu']);
    nodeResult = await scoringRun();
    console.log(`browser ${(t1 - t0) / 1000}s, node ${(Date.now() - t1) / 1000}s`);
  }, 240_000);

  it('runs on the WebGL backend without errors or leaked tensors', () => {
    expect(browserResult.error).toBeUndefined();
    expect(browserResult.backend).toBe('webgl');
    expect(browserResult.tensorsLeaked).toBe(0);
    expect(nodeResult.tensorsLeaked).toBe(0);
  });

  it('gives the FactorVAE numbers of the Node run', () => {
    // Votes come from argmins of float32 variance ratios; WebGL and the cpu backend sum in different orders,
    // so allow a vote or two to move between near-tied dims.
    expect(browserResult.factorVae.evalAccuracy).toBeGreaterThan(0.5);
    expect(Math.abs(browserResult.factorVae.evalAccuracy - nodeResult.factorVae.evalAccuracy)).toBeLessThanOrEqual(2 / 60 + 1e-12);
    expect(Math.abs(browserResult.factorVae.trainAccuracy - nodeResult.factorVae.trainAccuracy)).toBeLessThanOrEqual(2 / 120 + 1e-12);
  });

  it('gives the MIG of the Node run', () => {
    // Codes differ by float32 rounding between backends; a code on a bin edge may change bins.
    expect(browserResult.mig.score).toBeGreaterThan(0.05);
    expect(Math.abs(browserResult.mig.score - nodeResult.mig.score)).toBeLessThan(5e-3);
    browserResult.mig.perFactor.forEach((v, k) => expect(Math.abs(v - nodeResult.mig.perFactor[k])).toBeLessThan(1e-2));
  });
});
