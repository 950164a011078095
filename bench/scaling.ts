/**
 * How the MLP step's cost grows with batch size and width (784-w-w-10, Adam): a cost curve
 * for docs/performance.md. `node --import tsx bench/scaling.ts [--quick]`.
 */
import { startEngine } from "../src/engine/index.js";
import { mlpStepMs } from "./workloads.js";

const quick = process.argv.includes("--quick");
const reps = quick ? 10 : 30;
await startEngine();
const rows: { batch: number; width: number; ms: number; examplesPerSecond: number }[] = [];
for (const [batch, width] of [
  ...[32, 64, 128, 256, 512].map((b) => [b, 256]),
  ...[64, 128, 512, 1024].map((w) => [128, w]),
]) {
  const ms = await mlpStepMs(batch, width, reps);
  rows.push({ batch, width, ms, examplesPerSecond: (batch / ms) * 1000 });
}
if (process.argv.includes("--json")) process.stdout.write(JSON.stringify(rows) + "\n");
else {
  console.log("| batch | width | step ms | examples/s |\n|---|---|---|---|");
  for (const r of rows)
    console.log(`| ${r.batch} | ${r.width} | ${r.ms.toFixed(2)} | ${Math.round(r.examplesPerSecond)} |`);
}
