/**
 * The `disentangle` command: demo, evaluate, select, traverse, train. Progress bars go to stderr, tables to
 * stdout; bad input ends with a one-line reason and exit code 1.
 */
import { Command } from 'commander';
import { DisentangleError } from '../core/errors.js';
import { setupBackend } from '../core/backend.js';
import { checkWritable, writeFileAtomic } from '../core/files.js';
import type { GroundTruthDataset, TensorLike } from '../core/types.js';
import { dsprites } from '../data/index.js';
import { modelCentrality, udr } from '../selection/index.js';
import { trainFactorVae, trainInfoGanCr } from '../models/index.js';
import type { ResumeInfo, VaeObjective } from '../models/index.js';
import { latentTraversal, latentTraversalGif } from '../viz/index.js';
import { isOnnxPath, loadOnnxCliModel, onnxOptions, strayOnnxFlag, type CliModel, type OnnxFlags } from './models.js';
import { loadModelSpec, withModels } from '../models/modelSpec.js';
import { progressBar } from './progress.js';
import { intIn, MAX_ITERATIONS, numIn, oneOf, seedArg } from './options.js';
import { abortOnSigint, reportInterrupt, reportNeverSettled } from './interrupt.js';
import { evaluate, headlineNumbers, selectMetrics, type MetricResult } from '../metrics/index.js';
import { formatTable } from './table.js';
import { runDemo } from './demo.js';
import { packageVersion } from './packageRoot.js';
import { datasetSpecHelp, loadDatasetSpec } from '../data/datasetSpec.js';
import { addMergeCommand, isPopulationRun, runPopulationShard, withPopulationFlags, type PopulationFlags } from './population.js';

/** Adds the ONNX reading options to a command. */
function withOnnxFlags(cmd: Command): Command {
  return cmd
    .option('--layout <nchw|nhwc>', "ONNX: axis order of the encoder's image input (default: from the model's input shape, else nchw as PyTorch exports)", oneOf('--layout', ['nchw', 'nhwc'] as const))
    .option('--output <name>', "ONNX: the encoder output holding the codes (default 'mu' when present, else the only output)")
    .option('--log-var <name>', "ONNX: the encoder output holding log-variances (default 'logvar' or 'log_var' when present)")
    .option('--onnx-batch-size <n>', 'ONNX: images per session.run (default 256)', intIn('--onnx-batch-size', 1, 65_536));
}

export function buildProgram(): Command {
  const program = new Command('disentangle')
    .description('Disentanglement metrics, model selection and reference models (InfoGAN-CR, FactorVAE) on dSprites.')
    .version(packageVersion(), '-V, --version', 'print the installed version of disentangle')
    .option('--backend <name>', 'tfjs backend: wasm or cpu', 'wasm')
    .option('--quiet', 'no progress bars')
    .showHelpAfterError();

  program
    .command('demo')
    .description('score reference models on built-in dSprites with every metric; print a results table')
    .option('--quick', 'a quarter of the sample sizes')
    .option('--out <dir>', 'where to write traversal pictures', 'demo-output')
    .option('--json <file>', 'also write every number as JSON')
    .addHelpText('after', '\nExample:\n  $ disentangle demo --quick --json demo.json')
    .action(async (o: { quick?: boolean; out: string; json?: string }) => {
      await checkWritable(o.out, 'directory', '--out');
      if (o.json) await checkWritable(o.json, 'file', '--json');
      const results = await runDemo({ quick: !!o.quick, outDir: o.out, quiet: !!program.opts().quiet, signal: abortOnSigint() });
      if (o.json) await writeFileAtomic(o.json, JSON.stringify(results, null, 2), '--json');
    });

  withPopulationFlags(withOnnxFlags(
    program
      .command('evaluate')
      .description('score one model with the chosen metrics: give exactly one of --model, --encoder and --codes')
      .option('-m, --model <path>', 'a saved reference model directory, or a JS module exporting a GenerativeModel or represent()')
      .option('--encoder <file.onnx>', 'an ONNX encoder (PyTorch, JAX, TensorFlow) run by onnxruntime-web or -node (install one of them)')
      .option('--decoder <file.onnx>', "with --encoder: the ONNX decoder; its input width tells a single [mu, logvar] output's halves apart"),
  )
    .option('--codes <file.npy>', 'instead of a model: an N×D float32/float64 .npy of codes for every factor combination of the dataset, in C-order (numpy.ravel_multi_index)')
    .option('-d, --dataset <name[:file]>', "the ground-truth dataset: 'dsprites' (procedural), a variant or a published file (see below)", 'dsprites')
    .option('--metrics <ids>', 'comma-separated metric ids, or all', 'all')
    .option('--seed <n>', 'seed of every random choice', seedArg, 0)
    .option('--sample-scale <x>', 'multiplies the reference sample sizes (1 = disentanglement_lib defaults; > 0, at most 10)', numIn('--sample-scale', 0, 10, true), 1)
    .option('--representation <kind>', "FactorVAE codes: 'sample' (as InfoGAN-CR) or 'mean' (as disentanglement_lib)", oneOf('--representation', ['sample', 'mean'] as const), 'sample')
    .option('--json <file>', 'also write the results as JSON'))
    .addHelpText(
      'after',
      `\nExamples:\n  $ disentangle evaluate --model node_modules/disentangle/models/population/factor-vae-g10-s0 --metrics factor-vae,mig,dci --sample-scale 0.1 --json scores.json\n  $ disentangle evaluate --encoder encoder.onnx --metrics all --sample-scale 0.1 --json scores.json\n  $ disentangle evaluate --encoder encoder.onnx --layout nhwc --output z_mean --log-var z_logvar\n  $ disentangle evaluate --codes codes.npy --dataset dsprites --metrics all\n  $ disentangle evaluate --encoder encoder.onnx --dataset shapes3d:/data/3dshapes.h5 --metrics mig,dci\n\nThe trained models the package ships lie in node_modules/disentangle/models/population/.\n\nDatasets (--dataset):\n${datasetSpecHelp()}`,
    )
    .action(async (o: OnnxFlags & PopulationFlags & { model?: string; encoder?: string; decoder?: string; codes?: string; dataset: string; metrics: string; seed: number; sampleScale: number; representation: 'sample' | 'mean'; json?: string }) => {
      const quiet = !!program.opts().quiet;
      if (isPopulationRun(o)) {
        const other = o.model !== undefined ? '--model' : o.encoder !== undefined ? '--encoder' : o.codes !== undefined ? '--codes' : o.decoder !== undefined ? '--decoder' : o.json !== undefined ? '--json' : undefined;
        if (other) throw new DisentangleError('BAD_OPTION', other, `does not go with --population (models come from --population; the table comes from disentangle merge ${o.results})`);
        const metrics = selectMetrics(o.metrics.split(',').map((s) => s.trim()).filter(Boolean)).map((m) => m.id);
        return runPopulationShard({ metrics }, o, { dataset: o.dataset, sampleScale: o.sampleScale, representation: o.representation }, quiet);
      }
      const routes = [o.model, o.encoder, o.codes].filter((x) => x !== undefined).length;
      if (routes !== 1) throw new DisentangleError('BAD_OPTION', '--model', `give exactly one of --model, --encoder and --codes (got ${routes})`);
      const stray = o.encoder === undefined && (o.decoder !== undefined ? '--decoder' : strayOnnxFlag(o));
      if (stray) throw new DisentangleError('BAD_OPTION', stray, 'applies to an ONNX model: use it with --encoder');
      const metrics = selectMetrics(o.metrics.split(',').map((s) => s.trim()).filter(Boolean));
      if (o.json) await checkWritable(o.json, 'file', '--json');
      const dataset = await loadDatasetSpec(o.dataset, '--dataset');
      const signal = abortOnSigint();
      const score = async (route: { represent?: CliModel['represent']; codeTable?: string; cache?: boolean; shareDraws?: boolean }): Promise<void> => {
        let bar: ReturnType<typeof progressBar> | undefined;
        let current: string | undefined;
        let run: Awaited<ReturnType<typeof evaluate>>;
        try {
          run = await evaluate({
            ...route,
            dataset,
            metrics: metrics.map((m) => m.id),
            seed: o.seed,
            sampleScale: o.sampleScale,
            signal,
            onProgress: (p) => {
              if (p.metric !== current) {
                bar?.stop();
                current = p.metric;
                bar = progressBar(metrics[p.metricIndex].label, { quiet });
              }
              bar?.onProgress(p);
            },
          });
        } finally {
          bar?.stop();
        }
        const results: Record<string, Record<string, number>> = {};
        for (const m of metrics) results[m.id] = headlineNumbers(m, run.results[m.id] as MetricResult);
        const rows = Object.entries(results).flatMap(([id, r]) => Object.entries(r).map(([k, v]) => [id, k, v] as const));
        process.stdout.write(`${formatTable(['metric', 'field', 'value'], rows)}\n`);
        if (!quiet) process.stderr.write(`images drawn ${run.drawnImages} (+${run.sharedImages} shared between metrics), encoded ${run.encodedImages}; ${run.seconds.total.toFixed(1)} s (encoder ${run.seconds.encode.toFixed(1)} s)\n`);
        if (o.json) {
          const meta = { model: o.model ?? null, encoder: o.encoder ?? null, decoder: o.decoder ?? null, codes: o.codes ?? null, dataset: o.dataset, seed: o.seed, sampleScale: o.sampleScale };
          await writeFileAtomic(o.json, JSON.stringify({ ...meta, results, drawnImages: run.drawnImages, sharedImages: run.sharedImages, encodedImages: run.encodedImages, seconds: run.seconds }, null, 2), '--json');
        }
      };
      if (o.codes !== undefined) return score({ codeTable: o.codes });
      const load = o.encoder !== undefined ? () => loadOnnxCliModel(o.encoder as string, onnxOptions(o, o.decoder)) : () => loadModelSpec(o.model as string, o.representation);
      // A sampled representation is stochastic: keeping one code per image, or one draw for several metrics,
      // would change what is measured. An ONNX encoder's codes output is its mean: deterministic, so both apply.
      await withModels([load], ([model]) => score({ represent: model.represent, cache: !model.stochastic, shareDraws: !model.stochastic }));
    });

  withPopulationFlags(withOnnxFlags(
    program
      .command('select')
      .description('pick the best-disentangled model of a population without labels')
      .argument('[models...]', 'two or more saved reference model directories, JS modules, or ONNX encoders (names ending in .onnx)')
      .option('--decoder <file.onnx>', 'ModelCentrality: the decoder of each .onnx model, repeated once per .onnx model in the same order', (v: string, prev: string[]) => [...prev, v], [] as string[]),
  )
    .option('--method <name>', 'model-centrality, udr-lasso or udr-spearman', oneOf('--method', ['model-centrality', 'udr-lasso', 'udr-spearman'] as const), 'model-centrality')
    .option('-d, --dataset <name[:file]>', 'observations for UDR (the names of evaluate --help)', 'dsprites')
    .option('--seed <n>', 'seed', seedArg, 0)
    .option('--groups <n>', 'ModelCentrality: fixed-code groups per model', intIn('--groups', 1, 10_000))
    .option('--group-size <n>', 'ModelCentrality: samples per group', intIn('--group-size', 2, 100_000))
    .option('--scale-set-size <n>', 'ModelCentrality: samples that set each encoder scale', intIn('--scale-set-size', 1, 1_000_000))
    .option('--num-data-points <n>', 'UDR: observations every model encodes (default 1000; a multiple of 10)', intIn('--num-data-points', 10, 1_000_000))
    .option('--json <file>', 'also write the result as JSON'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ disentangle select --method udr-lasso node_modules/disentangle/models/population/factor-vae-g*\n  $ disentangle select --method udr-spearman runs/*/encoder.onnx\n  $ disentangle select a/encoder.onnx --decoder a/decoder.onnx b/encoder.onnx --decoder b/decoder.onnx\n\nThe trained models the package ships lie in node_modules/disentangle/models/population/.',
    )
    .action(async (specs: string[], o: OnnxFlags & PopulationFlags & { method: 'model-centrality' | 'udr-lasso' | 'udr-spearman'; decoder: string[]; dataset: string; seed: number; groups?: number; groupSize?: number; scaleSetSize?: number; numDataPoints?: number; json?: string }) => {
      const udrFlag = o.numDataPoints !== undefined ? '--num-data-points' : undefined;
      const mcFlag = o.groups !== undefined ? '--groups' : o.groupSize !== undefined ? '--group-size' : o.scaleSetSize !== undefined ? '--scale-set-size' : undefined;
      const foreign = o.method === 'model-centrality' ? udrFlag : mcFlag;
      if (foreign) throw new DisentangleError('BAD_OPTION', foreign, `does not apply to --method ${o.method}`);
      if (isPopulationRun(o)) {
        const other = specs.length ? specs[0] : o.decoder.length ? '--decoder' : o.json !== undefined ? '--json' : undefined;
        if (other) throw new DisentangleError('BAD_OPTION', other, `does not go with --population (models come from --population; the selection comes from disentangle merge ${o.results})`);
        const settings = o.method === 'model-centrality' ? { groups: o.groups, groupSize: o.groupSize, scaleSetSize: o.scaleSetSize } : { dataset: o.dataset, numDataPoints: o.numDataPoints };
        return runPopulationShard({ method: o.method }, o, settings, !!program.opts().quiet);
      }
      if (specs.length === 0) throw new DisentangleError('BAD_OPTION', 'models', 'give two or more models, or --population');
      const onnxSpecs = specs.filter(isOnnxPath);
      if (o.decoder.length > 0 && o.decoder.length !== onnxSpecs.length) {
        throw new DisentangleError('BAD_OPTION', '--decoder', `give one --decoder per .onnx model, in the same order: ${onnxSpecs.length} .onnx models, ${o.decoder.length} decoders`);
      }
      const stray = onnxSpecs.length === 0 && strayOnnxFlag(o);
      if (stray) throw new DisentangleError('BAD_OPTION', stray, 'applies to ONNX models (arguments ending in .onnx)');
      if (o.json) await checkWritable(o.json, 'file', '--json');
      let k = 0; // the k-th .onnx model gets the k-th --decoder
      const loaders = specs.map((s) => {
        if (!isOnnxPath(s)) return () => loadModelSpec(s, 'mean');
        const decoder = o.decoder[k++] as string | undefined;
        return () => loadOnnxCliModel(s, onnxOptions(o, decoder));
      });
      const bar = progressBar(o.method, { quiet: !!program.opts().quiet });
      const signal = abortOnSigint();
      await withModels(loaders, async (models) => {
        let scores: number[];
        let ranking: number[];
        let selected: number;
        let pairwise: number[][];
        try {
          if (o.method === 'model-centrality') {
            const missing = models.filter((m) => !m.generative).map((m) => m.name);
            if (missing.length) {
              const onnx = missing.filter(isOnnxPath);
              const why = onnx.length
                ? `${onnx.join(', ')} ${onnx.length > 1 ? 'have' : 'has'} no decoder: pass --decoder <file.onnx> after each .onnx model, or rank encoders alone with --method udr-lasso or udr-spearman`
                : `${missing.join(', ')} only offer represent()`;
              throw new DisentangleError('BAD_INPUT', 'models', `ModelCentrality needs generative models; ${why}`);
            }
            const r = await modelCentrality({
              models: models.map((m) => m.generative!),
              seed: o.seed,
              groups: o.groups,
              groupSize: o.groupSize,
              scaleSetSize: o.scaleSetSize,
              onProgress: bar.onProgress,
              signal,
            });
            ({ centrality: scores, ranking, selected, pairwise } = r);
          } else {
            const r = await udr({
              models: models.map((m) => m.udr!),
              dataset: await loadDatasetSpec(o.dataset, '--dataset'),
              correlation: o.method === 'udr-lasso' ? 'lasso' : 'spearman',
              numDataPoints: o.numDataPoints,
              seed: o.seed,
              onProgress: bar.onProgress,
              signal,
            });
            ({ scores, ranking, selected, pairwise } = r);
            // An untrained or collapsed encoder has no dim with KL > 0.01: UDR is then NaN, which needs a reason.
            const inactive = r.active.flatMap((a, i) => (a.some(Boolean) ? [] : [models[i].name]));
            if (inactive.length) process.stderr.write(`disentangle: note: no latent dimension of ${inactive.join(', ')} has KL > 0.01 (untrained or collapsed encoder): UDR is NaN\n`);
          }
        } finally {
          bar.stop();
        }
        const rows = ranking.map((i, rank) => [String(rank + 1), models[i].name, scores[i], i === selected ? '◀ selected' : ''] as const);
        process.stdout.write(`${formatTable(['rank', 'model', o.method === 'model-centrality' ? 'centrality' : 'UDR', ''], rows)}\n`);
        if (o.json) await writeFileAtomic(o.json, JSON.stringify({ method: o.method, models: specs, scores, ranking, selected, pairwise }, null, 2), '--json');
      });
    });

  addMergeCommand(program);

  program
    .command('traverse')
    .description('draw a latent traversal of a saved reference model (PNG grid or animated GIF)')
    .argument('<model>', 'a saved reference model directory or a JS module exporting a GenerativeModel')
    .requiredOption('-o, --out <file>', 'output file, .png or .gif')
    .option('--steps <n>', 'values per code (2 to 64)', intIn('--steps', 2, 64), 10)
    .option('--seed <n>', 'seed of the fixed latents', seedArg, 0)
    .addHelpText('after', '\nExample:\n  $ disentangle traverse node_modules/disentangle/models/population/infogan-cr-s0 --out traversal.gif\n\nThe trained models the package ships lie in node_modules/disentangle/models/population/.')
    .action(async (spec: string, o: { out: string; steps: number; seed: number }) => {
      const ext = /\.(png|gif)$/i.exec(o.out)?.[1].toLowerCase();
      if (!ext) throw new DisentangleError('BAD_OPTION', '--out', `expected a file name ending in .png or .gif, got '${o.out}'`);
      await checkWritable(o.out, 'file', '--out');
      await withModels([() => loadModelSpec(spec, 'mean')], async ([m]) => {
        if (!m.generative) throw new DisentangleError('BAD_INPUT', 'model', 'traversals need a generative model (a saved reference model or a module exporting a GenerativeModel)');
        const gif = ext === 'gif';
        const bytes = gif ? await latentTraversalGif(m.generative, { steps: o.steps, seed: o.seed }) : await latentTraversal(m.generative, { steps: o.steps, seed: o.seed });
        await writeFileAtomic(o.out, bytes, '--out');
        process.stdout.write(`wrote ${o.out} (${bytes.length} bytes)\n`);
      });
    });

  program
    .command('train')
    .description('train a reference model on procedural dSprites (resumable)')
    .argument('<kind>', 'infogan-cr or factor-vae')
    .requiredOption('-o, --out <dir>', 'where to save the trained model')
    .option('--iterations <n>', 'training iterations', intIn('--iterations', 1, MAX_ITERATIONS), 2000)
    .option('--batch-size <n>', 'batch size (2 to 1024)', intIn('--batch-size', 2, 1024), 64)
    .option('--cr-start <n>', 'InfoGAN-CR: iteration where the CR loss switches on (default: 90% of iterations)', intIn('--cr-start', 0, MAX_ITERATIONS))
    .option('--gamma <x>', 'FactorVAE: weight of the total-correlation term', numIn('--gamma', 0, 1e6), 10)
    .option('--objective <name>', 'VAE objective: factor-vae, beta-vae or beta-tcvae', oneOf('--objective', ['factor-vae', 'beta-vae', 'beta-tcvae'] as const), 'factor-vae')
    .option('--checkpoint-every <n>', 'write a checkpoint every n iterations into <out>/checkpoints', intIn('--checkpoint-every', 1, MAX_ITERATIONS))
    .option('--resume <dir>', 'resume from a checkpoint, or from the newest checkpoint that loads in a run directory (<out> or <out>/checkpoints)')
    .option('--seed <n>', 'seed', seedArg, 0)
    .addHelpText('after', '\nExample:\n  $ disentangle train factor-vae --out my-fvae --iterations 5000 --checkpoint-every 1000\n\nThat is about 4 hours on 2 cores (2.9 CPU s per step of batch 64); --iterations 50 gives a first model in minutes.')
    .action(async (kind: string, o: { out: string; iterations: number; batchSize: number; crStart?: number; gamma: number; objective: VaeObjective; checkpointEvery?: number; resume?: string; seed: number }) => {
      if (kind !== 'infogan-cr' && kind !== 'factor-vae') throw new DisentangleError('BAD_OPTION', 'kind', `expected infogan-cr or factor-vae, got ${kind}`);
      await checkWritable(o.out, 'directory', '--out');
      const bar = progressBar(`train ${kind}`, { quiet: !!program.opts().quiet });
      const common = {
        dataset: dsprites() as unknown as GroundTruthDataset<TensorLike>,
        iterations: o.iterations,
        batchSize: o.batchSize,
        seed: o.seed,
        config: { seed: o.seed },
        checkpointEvery: o.checkpointEvery,
        checkpointDir: o.checkpointEvery ? `${o.out}/checkpoints` : undefined,
        resumeFrom: o.resume,
        onResume: (info: ResumeInfo) => {
          for (const s of info.skipped) process.stderr.write(`disentangle: skipped checkpoint ${s.checkpoint}: ${s.reason}\n`);
          process.stderr.write(`disentangle: resuming from ${info.checkpoint} (iteration ${info.iteration})\n`);
        },
        onProgress: bar.onProgress,
        signal: abortOnSigint(),
      };
      try {
        const model =
          kind === 'infogan-cr'
            ? await trainInfoGanCr({ ...common, crStartIteration: o.crStart ?? Math.floor(o.iterations * 0.9) })
            : await trainFactorVae({ ...common, gamma: o.gamma, objective: o.objective });
        try {
          await model.save(o.out);
        } finally {
          model.dispose();
        }
      } finally {
        bar.stop();
      }
      process.stdout.write(`saved ${kind} to ${o.out}\n`);
    });

  program.hook('preAction', async () => {
    const backend = program.opts().backend as string;
    if (backend !== 'wasm' && backend !== 'cpu') throw new DisentangleError('BAD_OPTION', '--backend', `expected wasm or cpu, got ${backend}`);
    await setupBackend([backend]);
  });
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  process.once('beforeExit', reportNeverSettled);
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (reportInterrupt(e)) return;
    const msg = e instanceof DisentangleError ? e.message : e instanceof Error ? e.message : String(e);
    process.stderr.write(`disentangle: ${msg}\n`);
    process.exitCode = 1;
  } finally {
    process.off('beforeExit', reportNeverSettled);
  }
}
