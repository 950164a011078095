import { OPTIMIZERS, parseHyperparameters } from "../optim/presets.js";
import { runFirstOrderCompiled } from "./compiledRunner.js";
import type { MethodEntry } from "./types.js";

/** Steps when neither --steps nor --max-iter is given. */
export const DEFAULT_FIRST_ORDER_STEPS = 100;

/**
 * First-order methods of `descent optimize`, by the names used in the reference files (book.*, torch.*)
 * and a few more (amsgrad, lion, torch.NAdam): `--config` takes the optimizer's hyperparameters,
 * any of them a number or a schedule spec whose length defaults to `--steps`.
 */
export const firstOrderMethods: Record<string, MethodEntry> = Object.fromEntries(
  Object.entries(OPTIMIZERS).map(([name, preset]): [string, MethodEntry] => [
    name,
    {
      description: preset.description,
      run(objective, x0, config, opts) {
        const steps = opts.steps ?? opts.maxIter ?? DEFAULT_FIRST_ORDER_STEPS;
        if (!(steps >= 1)) throw new Error(`--steps must be at least 1, got ${steps}`);
        const optimizer = preset.build(parseHyperparameters(name, config), { totalSteps: steps });
        return runFirstOrderCompiled(optimizer, objective, x0, { ...opts, steps });
      },
    },
  ]),
);
