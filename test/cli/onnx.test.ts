/**
 * `disentangle evaluate --encoder model.onnx` and `disentangle select` over ONNX models (issue 14), spawned from
 * the sources through tsx with the PyTorch-exported fixture encoders of test/fixtures/onnx and onnxruntime-web.
 * The built CLI (dist/cli.js) gets the same evaluate run in cli.test.ts.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const ROOT = resolve(__dirname, '../..');
const FIX = 'test/fixtures/onnx';
const ENCODER = `${FIX}/burgess_encoder.onnx`;
const out = mkdtempSync(join(tmpdir(), 'disentangle-cli-onnx-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from the sources; `nodeArgs` go before tsx (e.g. an --import that hides onnxruntime). */
function cli(args: string[], nodeArgs: string[] = []): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, 'src/cli/bin.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('exit', (status) => {
      clearTimeout(killer);
      done({ status, stdout, stderr });
    });
  });
}

/** Runs the CLI's main in this process (fast: for refusals); returns stderr and the exit code it set. */
async function inProcess(...args: string[]): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
  let stderr = '';
  let stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  await main(['node', 'disentangle', '--backend', 'cpu', '--quiet', ...args]);
  vi.restoreAllMocks();
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { stdout, stderr, code };
}

describe('disentangle CLI with ONNX models', () => {
  it('evaluates an ONNX encoder: table on stdout, drawn/encoded counts in the JSON, each image encoded once', async () => {
    const json = join(out, 'scores.json');
    const r = await cli(['evaluate', '--encoder', ENCODER, '--metrics', 'mig,modularity', '--sample-scale', '0.01', '--seed', '2', '--json', json, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mig\s+score\s+\d\.\d{3}/);
    expect(r.stdout).toMatch(/modularity\s+score\s+\d\.\d{3}/);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.encoder).toBe(ENCODER);
    expect(saved.model).toBeNull();
    expect(saved.seed).toBe(2);
    // MIG and Modularity ask for the same train sample: MIG draws it, Modularity gets it from MIG
    expect(saved.drawnImages).toBe(100);
    expect(saved.sharedImages).toBe(100);
    expect(saved.encodedImages).toBeGreaterThan(0);
    expect(saved.encodedImages).toBeLessThanOrEqual(100);
    for (const id of ['mig', 'modularity']) expect(Number.isFinite(saved.results[id].score)).toBe(true);
  }, 60_000);

  it('ranks ONNX encoders with UDR', async () => {
    // single_output.onnx has no log-variance output: every dim counts as active, so UDR is a number
    const a = join(out, 'a.onnx');
    const b = join(out, 'b.onnx');
    copyFileSync(join(ROOT, FIX, 'single_output.onnx'), a);
    copyFileSync(join(ROOT, FIX, 'single_output.onnx'), b);
    const json = join(out, 'select.json');
    const udr = await cli(['select', '--method', 'udr-spearman', a, b, '--json', json, '--quiet']);
    expect(udr.stderr).toBe('');
    expect(udr.status).toBe(0);
    expect(udr.stdout).toMatch(/rank\s+model\s+UDR/);
    expect(udr.stdout).toMatch(/1\s+\S+a\.onnx\s+\d\.\d{3}\s+◀ selected/);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.method).toBe('udr-spearman');
    expect(saved.ranking).toEqual([0, 1]); // identical models tie; the first wins
    expect(saved.scores[0]).toBeCloseTo(saved.scores[1], 10);
  }, 60_000);

  it('runs ModelCentrality over ONNX encoder/decoder pairs, and says when decoders are missing', async () => {
    const DECODER = `${FIX}/burgess_decoder.onnx`;
    const json = join(out, 'centrality.json');
    const sizes = ['--groups', '4', '--group-size', '8', '--scale-set-size', '64'];
    const ok = await inProcess('select', ENCODER, '--decoder', DECODER, `${FIX}/burgess_encoder_nhwc.onnx`, '--decoder', DECODER, ...sizes, '--json', json);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBeUndefined();
    expect(ok.stdout).toMatch(/rank\s+model\s+centrality/);
    expect(ok.stdout).toContain('◀ selected');
    expect(JSON.parse(readFileSync(json, 'utf8')).scores).toHaveLength(2);
    const r = await inProcess('select', ENCODER, `${FIX}/burgess_encoder_nhwc.onnx`);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ModelCentrality needs generative models; .*burgess_encoder\.onnx.* no decoder: pass --decoder/);
  }, 30_000);

  it('refuses two model routes, stray ONNX flags and unpaired decoders', async () => {
    const both = await inProcess('evaluate', '--encoder', ENCODER, '--model', 'test/cli/fixtures/centroidEncoder.mjs');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^disentangle: --model: give exactly one of --model, --encoder and --codes \(got 2\)/);
    const stray = await inProcess('evaluate', '--model', 'test/cli/fixtures/centroidEncoder.mjs', '--layout', 'nhwc');
    expect(stray.code).toBe(1);
    expect(stray.stderr).toMatch(/^disentangle: --layout: applies to an ONNX model/);
    const unpaired = await inProcess('select', ENCODER, ENCODER, '--decoder', `${FIX}/burgess_decoder.onnx`);
    expect(unpaired.code).toBe(1);
    expect(unpaired.stderr).toMatch(/^disentangle: --decoder: give one --decoder per \.onnx model.*2 \.onnx models, 1 decoders/);
    const missing = await inProcess('evaluate', '--encoder', join(out, 'nope.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^disentangle: encoder: .*nope\.onnx does not exist/);
  }, 30_000);

  it('ends with the library\'s one-line UNSUPPORTED message when onnxruntime is not installed', async () => {
    const noRuntime = await cli(['evaluate', '--encoder', ENCODER, '--metrics', 'mig'], ['--import', './test/cli/fixtures/noOnnxRuntime.mjs']);
    expect(noRuntime.status).toBe(1);
    expect(noRuntime.stderr.trim().split('\n')).toHaveLength(1);
    expect(noRuntime.stderr).toMatch(/^disentangle: ort: no ONNX runtime could be loaded; install onnxruntime-web \(npm install onnxruntime-web\)/);
  }, 60_000);
});
