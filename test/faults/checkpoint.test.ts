import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import type { HostTensor } from "../../src/engine/index.js";
import { assertFault, descent, finishedRun, snapshot, tmp } from "./helpers.js";

let stopped: string | undefined;

/**
 * A copy of one interrupted tiny run whose checkpoint `edit` rewrites (a valid checksum: the fault is in the content).
 */
function editedCheckpoint(
  name: string,
  edit: (c: { tensors: Map<string, HostTensor>; metadata: Record<string, string> }) => void,
): string {
  stopped ??= finishedRun("stopped", ["--stop-after-steps", "4"]);
  const dir = tmp(name);
  cpSync(stopped, dir, { recursive: true });
  const path = join(dir, "unfinished", "checkpoint.safetensors");
  const decoded = decodeSafetensors(readFileSync(path), path);
  edit(decoded);
  writeFileSync(path, Buffer.concat(encodeSafetensors(decoded.tensors, decoded.metadata)));
  return dir;
}

const weight = (tensors: Map<string, HostTensor>) =>
  [...tensors.keys()].find(
    (k) =>
      k.startsWith("params.") &&
      tensors.get(k)!.shape.length === 2 &&
      tensors.get(k)!.shape[0] !== tensors.get(k)!.shape[1],
  )!;

const cases: [string, (c: { tensors: Map<string, HostTensor>; metadata: Record<string, string> }) => void, RegExp][] = [
  [
    "a wrong format tag",
    (c) => (c.metadata.format = "other/1"),
    /is not a Descent checkpoint \(format tag "other\/1", expected "descent-checkpoint\/1"\)/,
  ],
  [
    "a transposed tensor",
    (c) => {
      const t = c.tensors.get(weight(c.tensors))!;
      t.shape = [...t.shape].reverse();
    },
    /does not fit this model: tensor "params\.[\w.]+" has shape \[\d+,\d+\] but \[\d+,\d+\] was expected/,
  ],
  ["a missing tensor", (c) => c.tensors.delete(weight(c.tensors)), /does not fit this model: missing tensor "params\./],
  ["unparsable progress", (c) => (c.metadata.progress = "{step: 4"), /its progress metadata is not valid JSON/],
  [
    "a negative step",
    (c) => (c.metadata.progress = JSON.stringify({ ...JSON.parse(c.metadata.progress), step: -3 })),
    /progress metadata .* needs a non-negative integer "step" and "epoch"/,
  ],
  [
    "a step that is not a number",
    (c) => (c.metadata.progress = JSON.stringify({ ...JSON.parse(c.metadata.progress), step: "abc" })),
    /progress metadata .*"step":"abc".* needs a non-negative integer "step"/,
  ],
  [
    "a step outside its epoch",
    (c) => (c.metadata.progress = JSON.stringify({ ...JSON.parse(c.metadata.progress), step: 40 })),
    /step 40 does not lie in epoch 1 \(9 steps per epoch\)/,
  ],
  [
    "a NaN in a parameter tensor",
    (c) => (c.tensors.get(weight(c.tensors))!.data[0] = NaN),
    /tensor "params\.[\w.]+" holds NaN at index 0; it cannot be resumed/,
  ],
];

describe("a bad checkpoint: exit 2, one line naming the fault, the run's files unchanged", () => {
  for (const [name, edit, pattern] of cases) {
    it(name, () => {
      const dir = editedCheckpoint(name.replace(/\W+/g, "-"), edit);
      const before = snapshot(dir);
      assertFault(descent(["train", "--out", dir, "--resume"]), pattern);
      assert.deepEqual(snapshot(dir), before);
    });
  }
});
