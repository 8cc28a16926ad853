/**
 * `--dataset name[:file]`: the names the CLI knows, generated variants, and published files that are missing,
 * wrong or given without their path. Runs the CLI's main in this process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliInProcess } from '../helpers/cliInProcess.js';
import { DATASET_SPECS, loadDatasetSpec } from '../../src/data/datasetSpec.js';

const out = mkdtempSync(join(tmpdir(), 'disentangle-datasets-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const cli = cliInProcess;

describe('--dataset', () => {
  it('scores a generated dSprites variant: colour images, no code table, MIG\'s draw handed on', async () => {
    const json = join(out, 'color.json');
    const r = await cli('evaluate', '--model', 'test/cli/fixtures/centroidEncoder.mjs', '--dataset', 'dsprites-color', '--metrics', 'mig,modularity', '--sample-scale', '0.01', '--json', json);
    expect(r.stderr).toBe('');
    expect(r.code ?? 0).toBe(0);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.dataset).toBe('dsprites-color');
    // random colours per image: no table by factor row, so every drawn image is encoded
    expect(saved).toMatchObject({ drawnImages: 100, sharedImages: 100, encodedImages: 100 });
    const ds = await loadDatasetSpec('dsprites-color', '--dataset');
    expect(ds.observationShape).toEqual([64, 64, 3]);
    expect(ds.deterministicObservations).toBe(false);
  });

  it('knows every published data set and says what a name needs', async () => {
    expect(Object.keys(DATASET_SPECS)).toEqual(expect.arrayContaining(['dsprites', 'shapes3d', 'mpi3d-toy', 'mpi3d-complex', 'smallnorb', 'cars3d']));
    const help = await cli('evaluate', '--help');
    for (const name of ['shapes3d:<3dshapes.h5>', 'mpi3d-real:<mpi3d_real.npz>', 'smallnorb:', 'cars3d:']) expect(help.stdout).toContain(name);
    const unknown = await cli('evaluate', '--codes', 'x.npy', '--dataset', 'shapes4d:/x.h5');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown dataset 'shapes4d'/);
    const noFile = await cli('evaluate', '--codes', 'x.npy', '--dataset', 'mpi3d-toy');
    expect(noFile.stderr).toMatch(/mpi3d-toy needs the file: --dataset mpi3d-toy:mpi3d_toy\.npz/);
    await expect(loadDatasetSpec('dsprites:/some/file', '--dataset')).rejects.toMatchObject({ code: 'BAD_OPTION', argument: '--dataset' });
  });

  it('ends a wrong file with BAD_FILE in one line, exit 1', async () => {
    const bogus = join(out, 'mpi3d_toy.npz');
    writeFileSync(bogus, Buffer.from('not a zip file at all'));
    const r = await cli('evaluate', '--codes', 'x.npy', '--dataset', `mpi3d-toy:${bogus}`);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/disentangle: /);
    const missing = await cli('evaluate', '--codes', 'x.npy', '--dataset', `smallnorb:${join(out, 'no-such-dir')}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-dir|BAD_FILE|not found|missing/i);
  });
});
