/**
 * The cost of a Hessian-vector product against a gradient for torch_peer.py's MLP (784-256-256-10,
 * ReLU, softmax cross-entropy, batch 128, float32): `hvp_mlp_ratio` = time(HVP) / time(gradient),
 * PyTorch's by double backward. Both sides compiled (jit) and read back to the host, as Lanczos
 * uses them. Also times the other AD order, to keep the choice of the default honest.
 * Run alone: `node --import tsx bench/curvature.ts`.
 */
import { grad, numpy as np } from "@jax-js/jax";
import {
  disposeTree,
  leavesWithPaths,
  mapWithPaths,
  precisionOf,
  random,
  refTree,
  startEngine,
  toDevice,
  type Tree,
} from "../src/engine/index.js";
import { mlp } from "../src/nn/index.js";
import { compileFor, compileTreeHvp, modelLoss, type HvpMode } from "../src/curvature/index.js";

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const timed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

// Reads every leaf back (and frees it), so the timed call includes the whole computation.
const readBack = (t: Tree) => {
  for (const { leaf } of leavesWithPaths(t)) leaf.dataSync();
};

/** {grad_ms, hvp_ms, hvp_mlp_ratio, and the same for both AD orders}; call after startEngine(). */
export function curvatureBench(reps = 30): Record<string, number> {
  const precision = precisionOf("float32");
  const model = mlp(10);
  const init = model.init(random.randomKey(0), [784], precision);
  const x = toDevice(random.normal(random.randomKey(1), 128 * 784), [128, 784], precision);
  const labels = random.randint(random.randomKey(2), 128, 10);
  const oneHot = new Float32Array(128 * 10);
  labels.forEach((c, i) => (oneHot[i * 10 + c] = 1));
  const y = toDevice(oneHot, [128, 10], precision);
  const loss = modelLoss(model, true);
  const gradient = compileFor(
    precision,
    (params: Tree, state: Tree, xb: np.Array, yb: np.Array) => grad(loss)(params, state, xb, yb) as Tree,
  );
  const v = leavesWithPaths(init.params).map(({ leaf }, i) => ({
    shape: leaf.shape,
    data: random.normal(random.randomKey(100 + i), leaf.size),
  }));
  const tangent = () => {
    let i = 0;
    return mapWithPaths(init.params, () => toDevice(v[i].data, v[i++].shape, precision));
  };
  const hvps = (["reverse-over-forward", "forward-over-reverse"] as HvpMode[]).map((mode) =>
    compileTreeHvp(loss, precision, { mode }),
  );
  const calls = [
    () => readBack(gradient(refTree(init.params), refTree(init.state), x.ref, y.ref)),
    ...hvps.map((hvp) => () => readBack(hvp.run(init.params, tangent(), init.state, x, y))),
  ];
  // Interleaved, so that the load of a shared machine drifts equally over both; the ratio is taken per round.
  for (let i = 0; i < 3; i++) calls.forEach((call) => call());
  const times: number[][] = calls.map(() => []);
  for (let r = 0; r < reps; r++) calls.forEach((call, i) => times[i].push(timed(call)));
  const ratios = (i: number) => median(times[i].map((t, r) => t / times[0][r]));
  const out: Record<string, number> = {
    grad_ms: median(times[0]),
    hvp_rof_ms: median(times[1]),
    hvp_rof_ratio: ratios(1),
    hvp_fo_ms: median(times[2]),
    hvp_fo_ratio: ratios(2),
  };
  // The default compiled float32 HVP (curvature/treeHvp.ts) is reverse-over-forward.
  out.hvp_ms = out.hvp_rof_ms;
  out.hvp_mlp_ratio = out.hvp_rof_ratio;
  for (const hvp of hvps) hvp.dispose();
  gradient.dispose();
  disposeTree([init.params, init.state, x, y]);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startEngine();
  console.log(JSON.stringify(curvatureBench(process.argv.includes("--quick") ? 10 : 30)));
}
