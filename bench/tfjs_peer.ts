/**
 * TensorFlow.js peer timings (tfjs-core + the Wasm backend, the fastest TF.js backend in Node
 * without native bindings), printed as one JSON object with torch_peer.py's keys. Run in its
 * own process by bench/run.ts so the two engines never share a thread.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs-core";

// The CommonJS bundles: tfjs-core's ESM build uses extensionless imports Node cannot resolve,
// and only the umbrella @tensorflow/tfjs bundle registers every op's gradient.
const require = createRequire(import.meta.url);
const tf = require("@tensorflow/tfjs") as typeof TF;
const { setWasmPaths } = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");

const quick = process.argv.includes("--quick");
const REPS = quick ? 15 : 50;
const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/";
setWasmPaths(wasmDir);
await tf.setBackend("wasm");
await tf.ready();

function medianMs(fn: () => void, reps = REPS, warm = 5): number {
  for (let i = 0; i < warm; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

const glorot = (shape: number[]) =>
  tf.variable(
    tf.randomUniform(
      shape,
      -Math.sqrt(6 / (shape[shape.length - 2] + shape[shape.length - 1])),
      Math.sqrt(6 / (shape[shape.length - 2] + shape[shape.length - 1])),
    ),
  );
const zeros = (n: number) => tf.variable(tf.zeros([n]));

/** One step = loss + gradients + Adam update, reading the loss back (as the other peers do). */
function stepMs(loss: () => TF.Scalar, reps = REPS, warm = 5): number {
  const opt = tf.train.adam(1e-3);
  return medianMs(
    () => {
      const l = opt.minimize(loss, true) as TF.Scalar;
      l.dataSync();
      l.dispose();
    },
    reps,
    warm,
  );
}

// Functional ops only: tfjs-core's method chaining (x.matMul) is an opt-in module that Node's ESM cannot load.
const affine = (x: TF.Tensor, W: TF.Tensor, b: TF.Tensor) =>
  tf.add(tf.matMul(x as TF.Tensor2D, W as TF.Tensor2D), b) as TF.Tensor2D;

function batchNorm(h: TF.Tensor2D, gamma: TF.Variable, beta: TF.Variable): TF.Tensor2D {
  const { mean, variance } = tf.moments(h, 0);
  return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta) as TF.Tensor2D;
}

function mlpStep(bn: boolean): number {
  const [W1, W2, W3] = [glorot([784, 256]), glorot([256, 256]), glorot([256, 10])];
  const [b1, b2, b3] = [zeros(256), zeros(256), zeros(10)];
  const [g1, g2, be1, be2] = [tf.variable(tf.ones([256])), tf.variable(tf.ones([256])), zeros(256), zeros(256)];
  const x = tf.randomNormal([128, 784]);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, "int32"), 10);
  return stepMs(() =>
    tf.tidy(() => {
      let h = affine(x, W1, b1);
      h = tf.relu(bn ? batchNorm(h, g1, be1) : h);
      h = affine(h, W2, b2);
      h = tf.relu(bn ? batchNorm(h, g2, be2) : h);
      return tf.losses.softmaxCrossEntropy(y, affine(h, W3, b3)) as TF.Scalar;
    }),
  );
}

function cnnStep(reps = REPS, warm = 5): number {
  const [k1, k2] = [
    tf.variable(tf.randomNormal([3, 3, 1, 16], 0, 0.3)),
    tf.variable(tf.randomNormal([3, 3, 16, 32], 0, 0.1)),
  ];
  const [c1, c2] = [zeros(16), zeros(32)];
  const [W, b] = [glorot([32 * 7 * 7, 10]), zeros(10)];
  const x = tf.randomNormal([64, 28, 28, 1]) as TF.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, "int32"), 10);
  return stepMs(
    () =>
      tf.tidy(() => {
        let h = tf.maxPool(
          tf.relu(tf.add(tf.conv2d(x, k1 as TF.Tensor4D, 1, "same"), c1)) as TF.Tensor4D,
          2,
          2,
          "valid",
        );
        h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, k2 as TF.Tensor4D, 1, "same"), c2)) as TF.Tensor4D, 2, 2, "valid");
        return tf.losses.softmaxCrossEntropy(y, affine(tf.reshape(h, [64, -1]), W, b)) as TF.Scalar;
      }),
    reps,
    warm,
  );
}

function rnnStep(): number {
  const [U, Wr, Wo] = [glorot([8, 64]), glorot([64, 64]), glorot([64, 1])];
  const [b, bo] = [zeros(64), zeros(1)];
  const x = tf.randomNormal([32, 50, 8]);
  const y = tf.randomNormal([32, 1]);
  return stepMs(() =>
    tf.tidy(() => {
      const proj = tf.reshape(affine(tf.reshape(x, [32 * 50, 8]), U, b), [32, 50, 64]);
      let h = tf.zeros([32, 64]) as TF.Tensor2D;
      for (let t = 0; t < 50; t++)
        h = tf.tanh(
          tf.add(tf.reshape(tf.slice(proj, [0, t, 0], [32, 1, 64]), [32, 64]), tf.matMul(h, Wr as TF.Tensor2D)),
        ) as TF.Tensor2D;
      return tf.losses.meanSquaredError(y, affine(h, Wo, bo)) as TF.Scalar;
    }),
  );
}

function adamUpdateMs(n: number): number {
  const p = tf.variable(tf.zeros([n]));
  const g = tf.randomNormal([n]);
  const opt = tf.train.adam(1e-3);
  return medianMs(
    () => {
      opt.applyGradients([{ name: p.name, tensor: g }]);
      p.dataSync();
    },
    Math.max(10, REPS >> 1),
  );
}

function matmulGflops(n: number): number {
  const [a, b] = [tf.randomNormal([n, n]), tf.randomNormal([n, n])];
  const ms = medianMs(() => {
    const c = tf.matMul(a as TF.Tensor2D, b as TF.Tensor2D);
    c.dataSync();
    c.dispose();
  }, 10);
  return (2 * n ** 3) / (ms * 1e-3) / 1e9;
}

/** TF.js's Wasm backend has no Conv2DBackpropFilter kernel, so its CNN step runs on the pure-JS cpu backend. */
async function cnnStepAnyBackend(): Promise<[number, string]> {
  try {
    return [cnnStep(), "wasm"];
  } catch {
    await tf.setBackend("cpu");
    const ms = cnnStep(3, 1); // ~8 s a step: a few repetitions suffice
    await tf.setBackend("wasm");
    return [ms, "cpu (wasm lacks Conv2DBackpropFilter)"];
  }
}

const [cnnMs, cnnBackend] = await cnnStepAnyBackend();
const out = {
  tfjs: tf.version_core,
  backend: tf.getBackend(),
  mlp_adam_step_ms: mlpStep(false),
  mlp_bn_adam_step_ms: mlpStep(true),
  cnn_adam_step_ms: cnnMs,
  cnn_backend: cnnBackend,
  rnn_adam_step_ms: rnnStep(),
  adam_update_4000000_ms: adamUpdateMs(4_000_000),
  matmul_1024_gflops: matmulGflops(1024),
};
process.stdout.write(JSON.stringify(out) + "\n");
