/**
 * Gradient clipping on the cliff of a recurrent network (8.2.4, 8.2.5): a vanilla tanh RNN on the
 * adding problem, with a standard orthogonal recurrent matrix and plain SGD. Repeated multiplication
 * by W makes ‖∂L/∂θ‖ occasionally jump by orders of magnitude; without clipping that one step throws
 * the parameters far away (the loss explodes), with clipping by the global norm the step stays small.
 */
import { addingProblem } from "../../data/index.js";
import { disposeTree, type Precision } from "../../engine/index.js";
import { glorotUniform, linear, orthogonal, rnn, sequential } from "../../nn/index.js";
import { book, chain, clipByGlobalNorm } from "../../optim/index.js";
import { train, TrainingDivergedError } from "../../train/index.js";
import { exceedsByTwoSe, rowOf } from "./stats.js";
import type { ExperimentSize, ResultRow } from "./types.js";

const SETTINGS = {
  smoke: { length: 10, count: 64, epochs: 1, units: 8 },
  quick: { length: 40, count: 512, epochs: 2, units: 32 },
  full: { length: 40, count: 512, epochs: 3, units: 32 },
};
const FIXED = { lr: 0.1, batchSize: 32, clipNorm: 1, recurrentGain: 1, explosionFactor: 10 };

export const RNN_VARIANTS = ["RNN: no clipping", "RNN: clip ‖g‖ ≤ 1"] as const;

interface RnnRun {
  /** 1 when thrown off: a minibatch loss above `explosionFactor` × the first, or stopped by the divergence guard. */
  thrownOff: number;
  testMse: number;
  /** The largest minibatch gradient norm met (before clipping). */
  maxGradNorm: number;
}

async function trainRnn(size: ExperimentSize, seed: number, clip: number, precision: Precision): Promise<RnnRun> {
  const s = { ...SETTINGS[size], ...FIXED };
  const trainSet = addingProblem({ count: s.count, length: s.length, key: seed });
  const test = addingProblem({ count: s.count / 2, length: s.length, key: seed + 1000 });
  const model = sequential(
    rnn(s.units, { init: glorotUniform, recurrentInit: orthogonal(s.recurrentGain), lastOnly: true }),
    linear(1, { init: glorotUniform }),
  );
  let maxGradNorm = 0;
  const losses: number[] = [];
  try {
    const result = await train({
      model,
      train: trainSet,
      test,
      optimizer: Number.isFinite(clip) ? chain(clipByGlobalNorm(clip), book.sgd(s.lr)) : book.sgd(s.lr),
      epochs: s.epochs,
      batchSize: s.batchSize,
      seed,
      precision,
      callbacks: {
        onStep: ({ stats }) => {
          maxGradNorm = Math.max(maxGradNorm, Math.sqrt(stats.gradNormSq.reduce((a, v) => a + v, 0)));
          losses.push(stats.loss);
        },
      },
    });
    disposeTree([result.params, result.modelState]);
    const exploded = !losses.every((loss) => loss <= s.explosionFactor * losses[0]);
    return { thrownOff: exploded ? 1 : 0, testMse: result.test!.loss, maxGradNorm };
  } catch (error) {
    // The guard stops a run whose loss exploded (> 1e4 × the first minibatch's): that is the cliff's catapult.
    if (!(error instanceof TrainingDivergedError)) throw error;
    return { thrownOff: 1, testMse: NaN, maxGradNorm: Number.isFinite(maxGradNorm) ? maxGradNorm : Infinity };
  }
}

export interface RnnClippingOutcome {
  rows: ResultRow[];
  holds: boolean;
  text: string;
  /** Per seed, each variant's largest gradient norm (for the chart). */
  maxGradNorms: Record<string, number[]>;
  settings: Record<string, unknown>;
}

/** Both variants on every seed; the rule: thrown-off share without clipping − with clipping > 2 SE over seeds. */
export async function rnnClipping(
  size: ExperimentSize,
  seeds: number[],
  precision: Precision,
  log: (line: string) => void,
): Promise<RnnClippingOutcome> {
  const runs: Record<string, RnnRun[]> = { [RNN_VARIANTS[0]]: [], [RNN_VARIANTS[1]]: [] };
  for (const seed of seeds)
    for (const [variant, clip] of [
      [RNN_VARIANTS[0], Infinity],
      [RNN_VARIANTS[1], FIXED.clipNorm],
    ] as const) {
      log(`${variant}, seed ${seed}`);
      runs[variant].push(await trainRnn(size, seed, clip, precision));
    }
  const column = (variant: string, key: keyof RnnRun) => runs[variant].map((r) => r[key]);
  const rule = exceedsByTwoSe(column(RNN_VARIANTS[0], "thrownOff"), column(RNN_VARIANTS[1], "thrownOff"));
  return {
    rows: RNN_VARIANTS.map((v) =>
      rowOf(v, {
        thrownOffShare: column(v, "thrownOff"),
        testMse: column(v, "testMse"),
        maxGradNorm: column(v, "maxGradNorm"),
      }),
    ),
    holds: rule.holds,
    text: rule.text,
    maxGradNorms: Object.fromEntries(RNN_VARIANTS.map((v) => [v, column(v, "maxGradNorm")])),
    settings: { ...SETTINGS[size], ...FIXED, task: "adding problem", model: "tanh RNN + linear, SGD" },
  };
}
