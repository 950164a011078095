import { gatherBatch, type Dataset } from "../data/index.js";
import { disposeTree, random, toDevice, type Precision, type Tree } from "../engine/index.js";
import { outputBiasFromTargets, scaleToUnitActivations, setOutputBias, type Layer } from "../nn/index.js";

/** Examples used by data-driven scaling: one minibatch, chosen by the seed. */
const SCALING_BATCH = 256;

/**
 * The data-driven initialization heuristics of 8.4 as a Trainer `initialize` hook: rescale each
 * layer to unit activation std on one minibatch (--data-init) and start the output bias at the
 * log class frequencies of the training labels (--output-bias). Undefined when neither is asked for.
 */
export function initializationHeuristics(
  opts: { dataInit: boolean; outputBias: boolean; seed: number },
  model: Layer,
  train: Dataset,
  precision: Precision,
): ((params: Tree, modelState: Tree) => Tree) | undefined {
  if (!opts.dataInit && !opts.outputBias) return undefined;
  if (opts.outputBias && train.numClasses === 0)
    throw new Error("--output-bias needs a classification dataset (it sets the output bias to log class frequencies)");
  return (params, modelState) => {
    let current = params;
    let owned = false;
    const replace = (next: Tree) => {
      if (owned) disposeTree(current);
      current = next;
      owned = true;
    };
    if (opts.dataInit) {
      const idx = random
        .permutation(random.foldIn(random.randomKey(opts.seed), 0x6c737576), train.size)
        .subarray(0, Math.min(SCALING_BATCH, train.size));
      const batch = gatherBatch(train, idx);
      const x = toDevice(batch.x, [idx.length, ...train.xShape], precision);
      replace(scaleToUnitActivations(model, current, modelState, x, precision));
      x.dispose();
    }
    if (opts.outputBias) {
      replace(setOutputBias(model, current, outputBiasFromTargets(train.y, train.numClasses)));
    }
    // At least one heuristic ran, so `current` is a new tree the caller owns (`params` stays borrowed).
    return current;
  };
}
