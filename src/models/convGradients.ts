/**
 * The convolution kernels the layers' gradients run on every backend. The wasm backend has no
 * `Conv2DBackpropFilter` kernel, so the filter gradient is written as a dilated convolution of the input with the
 * output gradient (what TF does inside that kernel); transposed convolutions take a sub-pixel form that runs as a
 * stride-1 convolution (fast on XNNPACK) where it applies.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * dL/dW of a 'same' convolution with input `x` [n, H, W, ci] and output gradient `dy` [n, oh, ow, co]:
 * dW[a, b, i, o] = Σ x[n, a + s·p − padTop, b + s·q − padLeft, i] · dy[n, p, q, o], i.e. a stride-1 convolution of
 * x (batch moved to channels) with dy as the filter, dilated by the stride.
 */
export function convFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, [k, k, x.shape[3], dy.shape[3]], stride, 1, 'same');
    const { top, bottom, left, right } = info.padInfo;
    const xt = tf.transpose(x, [3, 1, 2, 0]); // [ci, H, W, n]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    let g = tf.conv2d(xt, dyt, 1, pad, 'NHWC', stride); // [ci, ≥k, ≥k, co]
    if (g.shape[1] !== k || g.shape[2] !== k) g = tf.slice(g, [0, 0, 0, 0], [-1, k, k, -1]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

// Sub-pixel form of a 4×4, stride-2, 'same' transposed convolution. Output row 2m takes input rows m−1 and m
// (kernel rows 3 and 1); row 2m+1 takes rows m and m+1 (kernel rows 2 and 0); columns likewise. So one stride-1
// 3×3 convolution whose 4·out channels hold the four (row, column) parities, followed by interleaving, gives
// the same result. Stride-1 convs run on XNNPACK in the wasm backend; its Conv2DBackpropInput is 2–4× slower.
const PARITY_TAPS = [
  [3, 1, -1],
  [-1, 2, 0],
];
let paritySelection: Float32Array | undefined;
function paritySelectionMatrix(): Float32Array {
  if (paritySelection) return paritySelection;
  const s = new Float32Array(36 * 16);
  for (let ph = 0; ph < 2; ph++)
    for (let pw = 0; pw < 2; pw++)
      for (let th = 0; th < 3; th++)
        for (let tw = 0; tw < 3; tw++) {
          const ah = PARITY_TAPS[ph][th];
          const aw = PARITY_TAPS[pw][tw];
          if (ah >= 0 && aw >= 0) s[(((ph * 2 + pw) * 3 + th) * 3 + tw) * 16 + ah * 4 + aw] = 1;
        }
  paritySelection = s;
  return s;
}

/** True when {@link transposedConv} can use the sub-pixel form (4×4 kernel, stride 2, output twice the input). */
function subPixelApplies(k: number, stride: number, inH: number, inW: number, outH: number, outW: number): boolean {
  return k === 4 && stride === 2 && outH === 2 * inH && outW === 2 * inW;
}

/**
 * The transposed 'same' convolution of x [n, H, W, in] with a kernel [k, k, out, in] (tfjs layout), i.e. the input
 * gradient of a stride-`stride` convolution from `outShape` to x's shape.
 */
export function transposedConv(x: tf.Tensor4D, w: tf.Tensor4D, outShape: [number, number, number, number], stride: number): tf.Tensor4D {
  const [n, H, W] = x.shape;
  if (!subPixelApplies(w.shape[0], stride, H, W, outShape[1], outShape[2])) return tf.conv2dTranspose(x, w, outShape, stride, 'same');
  return tf.tidy(() => {
    const out = w.shape[2];
    const inCh = w.shape[3];
    const wt = tf.reshape(tf.transpose(w, [0, 1, 3, 2]), [16, inCh * out]);
    const phases = tf.reshape(tf.matMul(tf.tensor2d(paritySelectionMatrix(), [36, 16]), wt), [4, 3, 3, inCh, out]);
    const filter = tf.reshape(tf.transpose(phases, [1, 2, 3, 0, 4]), [3, 3, inCh, 4 * out]) as tf.Tensor4D;
    const z = tf.conv2d(x, filter, 1, 'same');
    return tf.reshape(tf.transpose(tf.reshape(z, [n, H, W, 2, 2, out]), [0, 1, 3, 2, 4, 5]), [n, 2 * H, 2 * W, out]) as tf.Tensor4D;
  });
}
