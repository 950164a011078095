/**
 * The GEMM hook's A/B switches (src/engine/gemm/switches.ts): each one sets its route, and every one
 * but the program runner's two bumps the version that makes the runner rebuild its plans (plans hold
 * programs prepared under the former setting; the runner's own switch is read at every jit call).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as hook from "../../src/engine/gemm/hook.js";
import { switches, switchVersion } from "../../src/engine/gemm/switches.js";

const setters: [keyof typeof switches, (on: boolean) => void][] = [
  ["gemm", hook.setGemmEnabled],
  ["reciprocal", hook.setReciprocalEnabled],
  ["viewSum", hook.setViewSumEnabled],
  ["reluMask", hook.setReluMaskEnabled],
  ["transposeFusion", hook.setTransposeFusionEnabled],
  ["programCache", hook.setProgramCacheEnabled],
  ["copyElision", hook.setCopyElisionEnabled],
  ["kernelMerge", hook.setKernelMergeEnabled],
  ["simdExp", hook.setSimdExpEnabled],
  ["copyFolding", hook.setCopyFoldingEnabled],
  ["maxPool", hook.setMaxPoolEnabled],
  ["viewSumThreads", hook.setViewSumThreadsEnabled],
  ["viewSumRowOrder", hook.setViewSumRowOrderEnabled],
];

test("every switch but the runner's sets its route and bumps the plans' version", () => {
  for (const [name, set] of setters) {
    const before = switchVersion();
    set(false);
    assert.equal(switches[name], false, name);
    assert.equal(switchVersion(), before + 1, name);
    set(true);
    assert.equal(switches[name], true, name);
    assert.equal(switchVersion(), before + 2, name);
  }
  assert.deepEqual(
    Object.keys(switches).sort(),
    [...setters.map(([name]) => name), "programRunner", "smallProbes"].sort(),
  );
});

test("the program runner's two switches set their route without bumping the version (read at each jit call)", () => {
  const before = switchVersion();
  for (const [name, set] of [
    ["programRunner", hook.setProgramRunnerEnabled],
    ["smallProbes", hook.setSmallProbesEnabled],
  ] as const) {
    set(false);
    assert.equal(switches[name], false, name);
    set(true);
    assert.equal(switches[name], true, name);
  }
  assert.equal(switchVersion(), before);
});
