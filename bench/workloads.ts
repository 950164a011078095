import { disposeTree, precisionOf, random, refTree, toDevice } from "../src/engine/index.js";
import { mlp } from "../src/nn/index.js";
import { adam } from "../src/optim/index.js";
import { compileTrainStep, type TrainState } from "../src/train/index.js";

/** Median of `reps` timed calls after `warm` untimed ones, in ms. */
export function medianMs(fn: () => void, reps = 50, warm = 5): number {
  for (let i = 0; i < warm; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * torch_peer.py's `mlp_adam_step_ms` (or `mlp_bn_adam_step_ms`): MLP 784-256-256-10 ReLU, softmax
 * cross-entropy, batch 128, float32, Adam lr 1e-3, one fixed random batch; one step = forward +
 * backward + update, ending with the loss on the host (as our Trainer does every step).
 */
export function mlpAdamStepMs(reps: number, batchNorm = false): number {
  const precision = precisionOf("float32");
  const model = mlp(10, { batchNorm });
  const init = model.init(random.randomKey(0), [784], precision);
  const optimizer = adam(1e-3);
  let state: TrainState = { params: init.params, modelState: init.state, optState: optimizer.init(refTree(init.params)) };
  const x = toDevice(random.normal(random.randomKey(1), 128 * 784), [128, 784], precision);
  const labels = random.randint(random.randomKey(2), 128, 10);
  const oneHot = new Float32Array(128 * 10);
  labels.forEach((c, i) => (oneHot[i * 10 + c] = 1));
  const y = toDevice(oneHot, [128, 10], precision);
  const step = compileTrainStep(model, "cross-entropy", optimizer);
  const ms = medianMs(() => {
    const [next] = step.run(state, x.ref, y.ref);
    state = next;
  }, reps);
  step.dispose();
  x.dispose();
  y.dispose();
  for (const t of [state.params, state.modelState, state.optState]) disposeTree(t);
  return ms;
}
