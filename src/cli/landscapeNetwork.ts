/** `descent landscape --model DIR`: the loss landscape of a network trained by `descent train --out DIR`. */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { deviceBatch, modelLoss } from "../curvature/index.js";
import { disposeTree, random, treeToHost, type HostTensor } from "../engine/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import { htmlPage } from "../report/html.js";
import { sig } from "../report/format.js";
import { networkLandscape, networkLandscapeSpec } from "../report/netLandscape.js";
import { renderSvg } from "../report/render.js";
import { loadModel, train } from "../train/index.js";
import { UserError } from "./errors.js";
import { prepareTraining, resolveConfig } from "./train.js";

export interface NetworkLandscapeFlags {
  model: string;
  grid: number;
  span: number;
  examples: number;
  trajectory?: boolean;
  out: string;
}

/** DIR (or DIR/checkpoint.safetensors) → the run's directory, with its config.json and checkpoint. */
function runDirectory(path: string): string {
  if (!existsSync(path)) throw new UserError(`--model ${path}: no such file or directory`);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  for (const f of ["config.json", "checkpoint.safetensors"])
    if (!existsSync(join(dir, f)))
      throw new UserError(`--model ${path}: no ${f} in ${dir} (expected the --out directory of descent train)`);
  return dir;
}

export async function networkLandscapeAction(flags: NetworkLandscapeFlags): Promise<void> {
  const dir = runDirectory(flags.model);
  const config = resolveConfig({ config: join(dir, "config.json") });
  const run = await prepareTraining(config);
  const { model, trainSet, precision } = run;
  // θ₀ as the Trainer draws it (same seed, same key split); --data-init / --output-bias runs are adjusted after this.
  const [modelKey] = random.splitKey(random.randomKey(config.seed), 2);
  const fresh = model.init(modelKey, trainSet.xShape, precision);
  const initial = treeToHost(fresh.params);
  // Parameters and model state only: the optimizer (a transformation or a minibatch solver) plays no part here.
  const loaded = loadModel(join(dir, "checkpoint.safetensors"), {
    model,
    inputShape: trainSet.xShape,
    precision,
    weights: "final",
  });
  const final = treeToHost(loaded.params);

  const snapshots: Map<string, HostTensor>[] = [initial];
  if (flags.trajectory) {
    // The run is deterministic by seed: training again retraces it, keeping θ at every epoch's end.
    const result = await train({
      model,
      train: trainSet,
      optimizer: run.optimizer,
      epochs: run.epochs,
      batchSize: run.batchSize,
      seed: config.seed,
      precision,
      sampling: config.sampling,
      initialize: run.initialize,
      callbacks: {
        onStep: ({ step, state }) => void (step % run.stepsPerEpoch === 0 && snapshots.push(treeToHost(state.params))),
      },
    });
    disposeTree([result.params, result.modelState]);
  }

  const examples = Math.min(flags.examples, trainSet.size);
  const batch = deviceBatch(
    trainSet,
    Array.from({ length: examples }, (_, i) => i),
    precision,
  );
  const classification = trainSet.numClasses > 0;
  let landscape;
  try {
    landscape = networkLandscape({
      loss: modelLoss(model, classification),
      template: loaded.params,
      from: initial,
      to: final,
      snapshots,
      data: [loaded.modelState, batch.x, batch.y],
      precision,
      n: flags.grid,
      span: flags.span,
      key: random.randomKey(config.seed + 1),
    });
  } finally {
    disposeTree([batch.x, batch.y, fresh.params, fresh.state]);
    loaded.dispose();
  }
  const reach = (k: 0 | 1) => Math.max(...landscape.trajectory.map((p) => Math.abs(p[k])));
  const dimension = [...final.values()].reduce((n, t) => n + t.data.length, 0);
  const trajectory = flags.trajectory
    ? "θ after each epoch (re-run by seed)"
    : "θ₀ and θ* only (pass --trajectory for every epoch)";
  const caption =
    `${config.model} on ${config.dataset} (${dir}), ${classification ? "cross-entropy" : "mean squared error"} on ` +
    `${examples} training examples. ` +
    `Left: the loss along the segment from the initialization θ₀ to the trained θ* (` +
    `${landscape.interpolation.length} points). ` +
    `Right: ${flags.grid}×${flags.grid} points of θ* + αd₁ + βd₂, α, β ∈ [−${flags.span}, ${flags.span}], d₁, d₂ ` +
    `Gaussian directions rescaled filter by filter to the weights' norms, biases not perturbed (Li et al. 2018); ` +
    `the trajectory is ${trajectory}, projected on d₁, d₂ by least squares. ` +
    `Loss at θ* ${sig(landscape.slice.losses[Math.floor(landscape.slice.losses.length / 2)], 3)}. ` +
    // In n dimensions random directions are nearly orthogonal to the
    // path (Li et al. 2018, §7, switch to PCA directions for this).
    `The projected trajectory spans |α| ≤ ${sig(reach(0), 2)}, |β| ≤ ${sig(reach(1), 2)}: random directions in ` +
    `${dimension} dimensions are nearly orthogonal to it. ` +
    `Slice computed in ${sig(landscape.seconds.slice, 3)} s (${sig(landscape.sliceCpuSeconds, 3)} CPU s).`;
  const spec = networkLandscapeSpec(`Loss landscape of the trained ${config.model}`, landscape, caption, {
    from: "θ₀",
    to: "θ*",
  });
  const svg = await renderSvg(spec);
  writeFileAtomic(
    flags.out,
    flags.out.toLowerCase().endsWith(".svg")
      ? svg
      : htmlPage(`descent landscape — ${config.model} on ${config.dataset}`, [
          { heading: "Loss landscape", svgs: [svg] },
        ]),
  );
  process.stderr.write(
    `slice ${flags.grid}×${flags.grid} in ${landscape.seconds.slice.toFixed(1)} s (` +
      `${landscape.sliceCpuSeconds.toFixed(1)} CPU s); wrote ${flags.out}\n`,
  );
}
