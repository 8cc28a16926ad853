/**
 * Bundles examples/browser/demo.ts, serves it on 127.0.0.1, opens it in headless Chromium (WebGL via SwiftShader)
 * and saves a screenshot to docs/images/browser-demo.png. `--serve` keeps the page up for a person to open.
 */

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, bundleForBrowser, servePage } from '../test/browser/harness.js';
import { writeFileAtomic } from '../src/core/files.js';

const STYLE = 'body{font-family:system-ui,sans-serif;margin:24px;color:#222}img{image-rendering:pixelated;border:1px solid #ccc}table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}figcaption{font-size:13px;color:#555}';
const html = `<!doctype html><meta charset="utf-8"><title>disentangle demo</title><style>${STYLE}</style><body><div id="app"></div><script type="module" src="/app.js"></script></body>`;

const script = await bundleForBrowser(new URL('../examples/browser/demo.ts', import.meta.url).pathname);
const server = await servePage(script, html);
if (process.argv.includes('--serve')) {
  console.log(`open ${server.url}`);
} else {
  if (!CHROMIUM) throw new Error('Debian chromium is not installed (apt-get install chromium)');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { __done?: boolean }).__done === true, null, { timeout: 300_000 });
  await writeFileAtomic('docs/images/browser-demo.png', await page.screenshot({ fullPage: true }));
  await browser.close();
  await server.close();
  console.log('wrote docs/images/browser-demo.png');
}
