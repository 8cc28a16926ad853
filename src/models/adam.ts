import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';

/** Adam hyper-parameters (Kingma & Ba 2015). */
export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** TF1's default 1e-8, passed explicitly everywhere. */
  epsilon?: number;
}

/**
 * Adam exactly as TF1's `tf.train.AdamOptimizer` applies it, so the reference schedules carry over:
 *   t ← t+1, lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ), m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², θ ← θ − lr_t·m/(√v + ε).
 * (tfjs's `train.adam` puts ε after the bias correction instead, which differs early in training.)
 * The state is explicit, so it can be reset (InfoGAN-CR re-initializes H's optimizer when λ_CR switches on),
 * saved in a checkpoint and restored.
 *
 * @example
 * const opt = new Adam(vars, { learningRate: 1e-3, beta1: 0.5 });
 * const { value, grads } = tf.variableGrads(loss, vars);
 * opt.apply(grads);
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Steps taken since the last reset. */
  step = 0;
  private readonly vars: tf.Variable[];
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];

  constructor(vars: tf.Variable[], config: AdamConfig) {
    this.vars = vars;
    this.learningRate = config.learningRate;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    this.reset();
  }

  /** Zeroes the moments and the step count (a freshly created TF1 optimizer). */
  reset(): void {
    this.disposeState();
    const zeroVariable = (x: tf.Variable) => {
      const z = tf.zerosLike(x);
      const v = tf.variable(z, false);
      z.dispose();
      return v;
    };
    this.m = this.vars.map(zeroVariable);
    this.v = this.vars.map(zeroVariable);
    this.step = 0;
  }

  /** One update from gradients keyed by variable name (the form `tf.variableGrads` returns). */
  apply(grads: tf.NamedTensorMap): void {
    this.step += 1;
    const t = this.step;
    const lrT = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[x.name];
        if (!g) return;
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), lrT)));
      });
    });
  }

  /** The moments as named tensors (for checkpoints): `m/i`, `v/i` in variable order. */
  stateTensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    this.m.forEach((m, i) => (out[`m/${i}`] = m));
    this.v.forEach((v, i) => (out[`v/${i}`] = v));
    return out;
  }

  /** Restores moments saved by {@link stateTensors} and the step count. */
  loadState(tensors: Record<string, tf.Tensor>, step: number): void {
    const n = this.vars.length;
    for (let i = 0; i < n; i++) {
      if (!tensors[`m/${i}`] || !tensors[`v/${i}`]) throw new DisentangleError('BAD_FILE', 'optimizer state', `moments of variable ${i} of ${n} are missing`);
    }
    this.m.forEach((m, i) => m.assign(tensors[`m/${i}`]));
    this.v.forEach((v, i) => v.assign(tensors[`v/${i}`]));
    this.step = step;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    this.disposeState();
  }

  private disposeState(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
    this.m = [];
    this.v = [];
  }
}
