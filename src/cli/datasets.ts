/**
 * `--dataset` on the command line: a name, and for the published files a path after a colon
 * (`shapes3d:/data/3dshapes.h5`). One table maps each name to its loader, so `--help`, the error for an unknown
 * name and the loading all read the same list.
 */
import { DisentangleError } from '../core/errors.js';
import type { GroundTruthDataset, TensorLike } from '../core/types.js';
import { dsprites, loadCars3d, loadDsprites, loadMpi3d, loadShapes3d, loadSmallNorb } from '../data/index.js';

type Loader = (path: string | undefined, spec: string) => Promise<GroundTruthDataset<unknown>> | GroundTruthDataset<unknown>;

interface DatasetEntry {
  /** What follows the colon, shown in --help; none for the procedural datasets. */
  file?: string;
  load: Loader;
}

const needs = (path: string | undefined, spec: string, file: string): string => {
  if (!path) throw new DisentangleError('BAD_OPTION', '--dataset', `${spec} needs the file: --dataset ${spec}:${file}`);
  return path;
};

const mpi3d = (variant: 'toy' | 'realistic' | 'real' | 'complex'): DatasetEntry => ({
  file: `mpi3d_${variant}.npz`,
  load: (path, spec) => loadMpi3d(needs(path, spec, `mpi3d_${variant}.npz`), { variant }),
});

/** Every name `--dataset` takes, with its loader. */
export const CLI_DATASETS: Readonly<Record<string, DatasetEntry>> = {
  dsprites: { load: () => dsprites() },
  'dsprites-color': { load: () => dsprites({ variant: 'color' }) },
  'dsprites-noisy': { load: () => dsprites({ variant: 'noisy' }) },
  'dsprites-file': { file: 'dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz', load: (path, spec) => loadDsprites(needs(path, spec, 'dsprites_ndarray_*.npz')) },
  shapes3d: { file: '3dshapes.h5', load: (path, spec) => loadShapes3d(needs(path, spec, '3dshapes.h5')) },
  'mpi3d-toy': mpi3d('toy'),
  'mpi3d-realistic': mpi3d('realistic'),
  'mpi3d-real': mpi3d('real'),
  'mpi3d-complex': mpi3d('complex'),
  smallnorb: { file: 'directory of the six smallnorb-*.mat files', load: (path, spec) => loadSmallNorb(needs(path, spec, 'DIR')) },
  cars3d: { file: 'directory of the car_NNN_mesh.mat files', load: (path, spec) => loadCars3d(needs(path, spec, 'DIR')) },
};

/** One line per dataset name for --help. */
export function datasetHelp(): string {
  return Object.entries(CLI_DATASETS)
    .map(([name, e]) => `  ${e.file ? `${name}:<${e.file}>` : name}`)
    .join('\n');
}

/**
 * Loads `--dataset name[:path]`. A bare path ending in `.npz` is the published dSprites file, as before
 * (`--dataset dsprites_ndarray_….npz`).
 */
export async function loadCliDataset(spec: string): Promise<GroundTruthDataset<TensorLike>> {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const path = colon < 0 ? undefined : spec.slice(colon + 1);
  const entry = CLI_DATASETS[name];
  if (!entry) {
    if (colon < 0 && spec.endsWith('.npz')) return (await loadDsprites(spec)) as unknown as GroundTruthDataset<TensorLike>;
    throw new DisentangleError('BAD_OPTION', '--dataset', `unknown dataset '${name}'; choose one of:\n${datasetHelp()}`);
  }
  if (!entry.file && path !== undefined) throw new DisentangleError('BAD_OPTION', '--dataset', `${name} is generated, it takes no file`);
  return (await entry.load(path, name)) as unknown as GroundTruthDataset<TensorLike>;
}
