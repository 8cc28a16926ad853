/**
 * A population's model files: the list given on the command line or in a list file, and a content hash of each
 * model, so a stored result is trusted only for the model bytes it was computed from. Node only (built-ins are
 * imported on first use).
 */
import { DisentangleError } from '../core/errors.js';
import { nodeFs } from '../core/readFiles.js';
import { createSha256 } from '../core/sha256.js';

const MESSAGE = 'population runs read model files: they need Node';

/** A model path: a saved model directory (with model.json), an ONNX file or a JS module. */
const isModelFile = (name: string): boolean => /\.(onnx|mjs|js|cjs)$/i.test(name);

/**
 * The model paths of a population given as any mix of: a model directory (holding `model.json`), an `.onnx`
 * or JS module file, a directory of such models (its entries in name order), or a `.txt` list with one path per
 * line (blank lines and `#` comments skipped; relative paths are relative to the list's folder).
 *
 * @example
 * await resolvePopulation(['node_modules/disentangle/models/population']); // its nine model directories
 */
export async function resolvePopulation(specs: readonly string[], argument = 'population'): Promise<string[]> {
  const fs = await nodeFs(argument, MESSAGE);
  const { dirname, join, isAbsolute } = await import('node:path');
  const out: string[] = [];
  const isDir = async (p: string): Promise<boolean> => (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
  const hasModelJson = async (p: string): Promise<boolean> => (await fs.stat(join(p, 'model.json')).catch(() => undefined))?.isFile() ?? false;
  for (const spec of specs) {
    const stat = await fs.stat(spec).catch(() => undefined);
    if (!stat) throw new DisentangleError('BAD_INPUT', argument, `${spec} does not exist`);
    if (stat.isDirectory()) {
      if (await hasModelJson(spec)) {
        out.push(spec);
        continue;
      }
      const names = (await fs.readdir(spec)).filter((n) => !n.startsWith('.')).sort();
      const found: string[] = [];
      for (const name of names) {
        const p = join(spec, name);
        if ((await isDir(p)) ? await hasModelJson(p) : isModelFile(name)) found.push(p);
      }
      if (found.length === 0) throw new DisentangleError('BAD_INPUT', argument, `${spec} holds no model (directories with model.json, .onnx or JS module files)`);
      out.push(...found);
    } else if (/\.txt$/i.test(spec)) {
      const lines = (await fs.readFile(spec, 'utf8')).split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
      if (lines.length === 0) throw new DisentangleError('BAD_INPUT', argument, `${spec} lists no model`);
      out.push(...lines.map((l) => (isAbsolute(l) ? l : join(dirname(spec), l))));
    } else {
      out.push(spec);
    }
  }
  const dup = out.find((m, i) => out.indexOf(m) !== i);
  if (dup !== undefined) throw new DisentangleError('BAD_INPUT', argument, `${dup} is listed twice`);
  return out;
}

/**
 * SHA-256 over a model's bytes: a file's content, or for a directory every regular file below it (hidden
 * names skipped: temporary files of an interrupted save) as `relative path, size, bytes` in path order.
 * A population run hashes each of its models once.
 *
 * @example
 * const digest = await modelDigest('runs/factor-vae-s0'); // 64 hex digits
 */
export async function modelDigest(path: string, argument = 'model'): Promise<string> {
  const fs = await nodeFs(argument, MESSAGE);
  const { join } = await import('node:path');
  const h = createSha256();
  const enc = new TextEncoder();
  const walk = async (abs: string, rel: string): Promise<void> => {
    const stat = await fs.stat(abs).catch(() => undefined);
    if (!stat) throw new DisentangleError('BAD_INPUT', argument, `${path} does not exist`);
    if (stat.isDirectory()) {
      for (const name of (await fs.readdir(abs)).filter((n) => !n.startsWith('.')).sort()) await walk(join(abs, name), rel ? `${rel}/${name}` : name);
    } else if (stat.isFile()) {
      h.update(enc.encode(`${rel}\0${stat.size}\0`));
      h.update(new Uint8Array(await fs.readFile(abs)));
    }
  };
  await walk(path, '');
  return h.digestHex();
}
