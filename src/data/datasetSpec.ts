/**
 * A dataset named by a string: a name, and for the published files a path after a colon
 * (`shapes3d:/data/3dshapes.h5`), as the CLI's `--dataset` and a population's `settings.dataset` take it. One
 * table maps each name to its loader, so `--help`, the error for an unknown name and the loading all read the
 * same list.
 */
import { DisentangleError } from '../core/errors.js';
import type { GroundTruthDataset, TensorLike } from '../core/types.js';
import { dsprites, loadCars3d, loadDsprites, loadMpi3d, loadShapes3d, loadSmallNorb } from './index.js';

type Loader = (path: string | undefined, spec: string, argument: string) => Promise<GroundTruthDataset<unknown>> | GroundTruthDataset<unknown>;

interface DatasetEntry {
  /** What follows the colon, shown in --help; none for the procedural datasets. */
  file?: string;
  load: Loader;
}

const needs = (path: string | undefined, spec: string, file: string, argument: string): string => {
  if (!path) throw new DisentangleError('BAD_OPTION', argument, `${spec} needs the file: ${argument.startsWith('--') ? `${argument} ` : ''}${spec}:${file}`);
  return path;
};

const mpi3d = (variant: 'toy' | 'realistic' | 'real' | 'complex'): DatasetEntry => ({
  file: `mpi3d_${variant}.npz`,
  load: (path, spec, argument) => loadMpi3d(needs(path, spec, `mpi3d_${variant}.npz`, argument), { variant }),
});

/** Every dataset name, with its loader. */
export const DATASET_SPECS: Readonly<Record<string, DatasetEntry>> = {
  dsprites: { load: () => dsprites() },
  'dsprites-color': { load: () => dsprites({ variant: 'color' }) },
  'dsprites-noisy': { load: () => dsprites({ variant: 'noisy' }) },
  'dsprites-file': { file: 'dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz', load: (path, spec, argument) => loadDsprites(needs(path, spec, 'dsprites_ndarray_*.npz', argument)) },
  shapes3d: { file: '3dshapes.h5', load: (path, spec, argument) => loadShapes3d(needs(path, spec, '3dshapes.h5', argument)) },
  'mpi3d-toy': mpi3d('toy'),
  'mpi3d-realistic': mpi3d('realistic'),
  'mpi3d-real': mpi3d('real'),
  'mpi3d-complex': mpi3d('complex'),
  smallnorb: { file: 'directory of the six smallnorb-*.mat files', load: (path, spec, argument) => loadSmallNorb(needs(path, spec, 'DIR', argument)) },
  cars3d: { file: 'directory of the car_NNN_mesh.mat files', load: (path, spec, argument) => loadCars3d(needs(path, spec, 'DIR', argument)) },
};

/** One line per dataset name, for help texts. */
export function datasetSpecHelp(): string {
  return Object.entries(DATASET_SPECS)
    .map(([name, e]) => `  ${e.file ? `${name}:<${e.file}>` : name}`)
    .join('\n');
}

/**
 * Loads the dataset `name[:path]` names (`dsprites`, `dsprites-color`, `shapes3d:/data/3dshapes.h5`, … see
 * {@link datasetSpecHelp}). A bare path ending in `.npz` is the published dSprites file. Errors name `argument`.
 *
 * @example
 * const dataset = await loadDatasetSpec('dsprites-color');
 */
export async function loadDatasetSpec(spec: string, argument = 'dataset'): Promise<GroundTruthDataset<TensorLike>> {
  if (typeof spec !== 'string' || spec === '') throw new DisentangleError('BAD_OPTION', argument, `expected a dataset name such as 'dsprites', got ${String(spec)}`);
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const path = colon < 0 ? undefined : spec.slice(colon + 1);
  const entry = Object.hasOwn(DATASET_SPECS, name) ? DATASET_SPECS[name] : undefined;
  if (!entry) {
    if (colon < 0 && spec.endsWith('.npz')) return (await loadDsprites(spec)) as unknown as GroundTruthDataset<TensorLike>;
    throw new DisentangleError('BAD_OPTION', argument, `unknown dataset '${name}'; choose one of:\n${datasetSpecHelp()}`);
  }
  if (!entry.file && path !== undefined) throw new DisentangleError('BAD_OPTION', argument, `${name} is generated, it takes no file`);
  return (await entry.load(path, name, argument)) as unknown as GroundTruthDataset<TensorLike>;
}
