import type { Precision, Tree } from "../engine/index.js";
import { toDevice } from "../engine/index.js";
import { exampleSize, type Dataset } from "../data/dataset.js";
import { argmax } from "../losses.js";
import type { compilePredict } from "./step.js";

export interface Evaluation {
  loss: number;
  /** Classification only. */
  accuracy?: number;
}

/** Mean loss (and accuracy) over a dataset in eval mode, batches of `batchSize`, computed on the host in float64. */
export function evaluate(
  predict: ReturnType<typeof compilePredict>,
  params: Tree,
  modelState: Tree,
  data: Dataset,
  precision: Precision,
  batchSize = 1000,
): Evaluation {
  const xs = exampleSize(data.xShape);
  const ys = exampleSize(data.yShape);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.size; start += batchSize) {
    const n = Math.min(batchSize, data.size - start);
    const x = toDevice(data.x.subarray(start * xs, (start + n) * xs), [n, ...data.xShape], precision);
    const out = Float64Array.from(predict.run(params, modelState, x).dataSync() as ArrayLike<number>);
    const width = out.length / n;
    for (let i = 0; i < n; i++) {
      const row = out.subarray(i * width, (i + 1) * width);
      if (data.numClasses > 0) {
        const label = data.y[start + i];
        const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
        const logSumExp = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        lossSum += logSumExp - row[label];
        if (argmax(row) === label) correct++;
      } else {
        for (let j = 0; j < ys; j++) lossSum += (row[j] - data.y[(start + i) * ys + j]) ** 2 / ys;
      }
    }
  }
  const loss = lossSum / data.size;
  return data.numClasses > 0 ? { loss, accuracy: correct / data.size } : { loss };
}
