import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { numpy as np, tree as jaxTree } from "@jax-js/jax";
import type { Tree } from "../../src/engine/index.js";
import { applyUpdates, type GradientTransformation } from "../../src/optim/index.js";
import type { ReferenceRun } from "../../src/problems/index.js";

/** Runs the first-order engineer owns (book.newton and book.cg_* belong to the solvers). */
export function firstOrderRuns(path: string): ReferenceRun[] {
  const json = JSON.parse(readFileSync(path, "utf8")) as { runs: ReferenceRun[] };
  return json.runs.filter((r) => !/^book\.(newton|cg_)/.test(r.algorithm));
}

/**
 * The worst step's max|θ − θ_ref| in units of the acceptance tolerance 1e-8·(1 + max|θ_ref|)
 * (<= 1 passes), with the step (1-based) where it happens and the raw deviation.
 */
export function trajectoryDeviation(
  got: ArrayLike<number>[],
  want: number[][],
): { worst: number; step: number; raw: number } {
  if (got.length !== want.length)
    return { worst: Infinity, step: Math.min(got.length, want.length) + 1, raw: Infinity };
  let worst = 0;
  let step = 0;
  let raw = 0;
  want.forEach((ref, i) => {
    const scale = 1e-8 * (1 + Math.max(...ref.map(Math.abs)));
    const dev = Math.max(...ref.map((r, j) => Math.abs(got[i][j] - r)));
    if (!(dev / scale <= worst)) {
      worst = dev / scale;
      step = i + 1;
      raw = dev;
    }
  });
  return { worst, step, raw };
}

const BIN = fileURLToPath(new URL("../../bin/descent.js", import.meta.url));

/** Runs the built `descent` binary asynchronously (so several runs can share the machine's cores). */
export function descentAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** Calls `jobs` with at most `width` running at once; returns their promises in order. */
export function limited<T>(jobs: (() => Promise<T>)[], width: number): Promise<T>[] {
  let next = 0;
  const results: Promise<T>[] = [];
  const slots: (() => void)[] = [];
  let running = 0;
  const release = () => {
    running--;
    slots.shift()?.();
  };
  for (const job of jobs) {
    const index = next++;
    results[index] = new Promise<void>((start) =>
      running < width ? (running++, start()) : slots.push(() => (running++, start())),
    )
      .then(job)
      .finally(release);
  }
  return results;
}

/** A float64 vector on the exact `cpu` device (unit tests compute eagerly, exactly). */
export const vec = (...values: number[]): np.Array =>
  np.array(Float64Array.from(values), { dtype: np.float64, device: "cpu" });

/** A scalar update count k as the transforms see it. */
export const step = (k: number): np.Array => np.array(k, { dtype: np.float64, device: "cpu" });

/** Host copy of an array (consumes it). */
export const host = (x: np.Array): number[] => Array.from(x.dataSync() as ArrayLike<number>);

/** Host copies of every leaf of a tree, in leaf order (borrows the tree). */
export const hostLeaves = (t: Tree): number[][] => (jaxTree.leaves(t) as np.Array[]).map((leaf) => host(leaf.ref));

/** Asserts |a − b| <= tol·(1 + |b|) entry by entry. */
export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-14, what = ""): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: length ${actual.length} instead of ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
      throw new Error(
        `${what}[${i}]: ${actual[i]} instead of ${expected[i]} (|Δ| = ` +
          `${Math.abs(actual[i] - expected[i]).toExponential(2)})`,
      );
    }
  }
}

/**
 * Runs a transformation for the given gradients on a tree of parameters (eagerly), returning the
 * parameters after each update and the final state (the caller disposes it).
 */
export function runUpdates<S extends Tree>(
  opt: GradientTransformation<S>,
  params: Tree,
  grads: Tree[],
): { thetas: number[][][]; state: S; params: Tree } {
  let state = opt.init(jaxTree.ref(params));
  let theta = params;
  const thetas: number[][][] = [];
  for (const g of grads) {
    const [u, next] = opt.update(g, state, jaxTree.ref(theta));
    state = next;
    theta = applyUpdates(theta, u);
    thetas.push(hostLeaves(theta));
  }
  return { thetas, state, params: theta };
}
