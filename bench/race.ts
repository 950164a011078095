/**
 * The playground's headline race in Node: 4 first-order optimizers × 500 steps on Rosenbrock, each dtype,
 * timed end to end (run: `node --import tsx bench/race.ts`). The browser test measures the same race in Chromium.
 */
import { engine, raceOnSurface, SURFACES } from "../src/browser.js";

const METHODS = [
  { method: "book.sgd", config: { lr: 0.001 } },
  { method: "book.momentum", config: { lr: 0.001 } },
  { method: "book.adam", config: { lr: 0.05 } },
  { method: "torch.RMSprop", config: { lr: 0.01 } },
];

await engine.startEngine();
for (const dtype of ["float64", "float32"] as const) {
  const precision = engine.precisionOf(dtype);
  const times: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const runs = raceOnSurface(SURFACES.rosenbrock, METHODS, { steps: 500, precision });
    times.push(performance.now() - t0);
    if (runs.some((r) => r.path.length !== 501)) throw new Error("a run stopped early");
  }
  console.log(`${dtype}: 4 optimizers × 500 steps: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
}
