/**
 * Auxiliary heads (deep supervision, Lee et al. 2014; 8.7.5): linear classifiers on intermediate
 * hidden layers add their own loss, so that useful gradient reaches the lower layers early. Their
 * weight follows a schedule to zero; they are dropped at inference (a deepMlp evaluates its main
 * output only) and from the weights saved for prediction.
 */
import { numpy as np } from "@jax-js/jax";
import { refTree, treeToHost, type Tree } from "../engine/index.js";
import { writeSafetensors } from "../io/safetensors.js";
import { softmaxCrossEntropy } from "../losses.js";
import { linearDecaySchedule, valueAt, type ScalarOrSchedule } from "../optim/index.js";
import type { TrainLoss } from "../train/index.js";
import { deepMlp, type DeepMlp, type DeepMlpParams } from "./deepMlp.js";

/** A head weight falling linearly from `start` to 0 at step `steps` (eq. 8.14's shape), 0 afterwards. */
export const decayToZero = (start: number, steps: number): ScalarOrSchedule => linearDecaySchedule(start, steps, 0);

/**
 * The training loss of a deepMlp with `heads` auxiliary heads: its training output is
 * [main | head 1 | … ] (each `classes` wide), and the loss is CE(main) + w(k)·Σ_j CE(head j).
 */
export function auxiliaryHeadsLoss(classes: number, heads: number, weight: ScalarOrSchedule): TrainLoss {
  return (output, targets, k) => {
    const main = softmaxCrossEntropy(output.ref.slice([], [0, classes]), targets.ref);
    let aux: np.Array | undefined;
    for (let j = 1; j <= heads; j++) {
      const term = softmaxCrossEntropy(output.ref.slice([], [j * classes, (j + 1) * classes]), targets.ref);
      aux = aux ? aux.add(term) : term;
    }
    output.dispose();
    targets.dispose();
    if (!aux) return (k.dispose(), main);
    const w = valueAt(weight, k);
    return main.add(aux.mul(w));
  };
}

/** The same network without its heads: what prediction needs. */
export function predictionModel(model: DeepMlp): DeepMlp {
  return deepMlp(model.outputs, { ...model.options, auxiliaryHeads: [] });
}

/** The parameters without the heads' (new references; borrows params). */
export function predictionParams(params: Tree): Tree {
  const { hidden, output } = params as unknown as DeepMlpParams;
  return refTree({ hidden, output } as unknown as Tree);
}

/**
 * Writes the prediction weights (no heads) as safetensors, loadable
 * by predictionModel(model) or by transfer. Borrows params.
 */
export function savePredictionWeights(path: string, params: Tree): void {
  const { hidden, output } = params as unknown as DeepMlpParams;
  writeSafetensors(path, treeToHost({ hidden, output } as unknown as Tree), { format: "descent-weights/1" });
}
