import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { heapBytes } from "./wasmHeap.js"; // first: it must see jax-js create its memory

// Its own file: a fresh Wasm heap has little free space, so leaked buffers show as growth.
const { precisionOf, startEngine } = await import("../../src/engine/index.js");
const { mlp } = await import("../../src/nn/index.js");
const { adam } = (await import("../../src/optim/index.js")).book;
const { train } = await import("../../src/train/index.js");

it("a run that fails before its loop (a corrupt or finished checkpoint to resume) frees what it built", async () => {
  await startEngine();
  const precision = precisionOf("float32");
  const size = 64;
  const data = {
    name: "ramp",
    x: Float32Array.from({ length: size * 784 }, (_, i) => (i % 7) / 7),
    xShape: [784],
    y: Float32Array.from({ length: size }, (_, i) => i % 10),
    yShape: [],
    numClasses: 10,
    size,
  };
  const dir = mkdtempSync(join(tmpdir(), "descent-leak-"));
  const run = (epochs: number, resumeFrom?: string, checkpointPath?: string) =>
    train({
      model: mlp(10, { width: 256 }),
      train: data,
      optimizer: adam(1e-3),
      epochs,
      batchSize: 32,
      seed: 0,
      precision,
      resumeFrom,
      checkpointPath,
    });
  try {
    const finished = join(dir, "finished.safetensors");
    await run(1, undefined, finished);
    const corrupt = join(dir, "corrupt.safetensors");
    const bytes = readFileSync(finished);
    bytes[bytes.length - 5] ^= 0xff; // a flipped tensor byte: the SHA-256 check refuses it
    writeFileSync(corrupt, bytes);
    for (const [checkpoint, epochs] of [
      [corrupt, 2],
      [finished, 1],
    ] as const) {
      await assert.rejects(run(epochs, checkpoint)); // compiles and warms this path once
      const before = heapBytes();
      for (let round = 0; round < 8; round++) await assert.rejects(run(epochs, checkpoint));
      // Kept templates (θ, Adam's moments, partly still lazy) grew the heap by 2 MB over these 8 runs.
      assert.ok(heapBytes() - before <= 2 ** 20, `Wasm heap grew from ${before} to ${heapBytes()} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
