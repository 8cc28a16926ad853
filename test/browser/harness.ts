/**
 * Runs a page script in headless Debian Chromium (driven by playwright-core, which downloads nothing) on the
 * tfjs WebGL backend. The script is bundled with esbuild and served from 127.0.0.1 only.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

/** Bundles `entry` for the browser and returns the JS source. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['node:*', 'fs', 'path', 'os', 'url', 'worker_threads', 'perf_hooks', 'crypto'],
  });
  return out.outputFiles[0].text;
}

/** Serves an HTML page and one script on 127.0.0.1 (random port). */
export async function servePage(script: string, html = '<!doctype html><meta charset="utf-8"><title>disentangle</title><body><div id="app"></div><script type="module" src="/app.js"></script></body>'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
