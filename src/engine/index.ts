/**
 * The engine: jax-js start-up, the dtype/device policy, host PRNG keys and pytree helpers.
 *
 * Ownership convention (jax-js's, kept at every module boundary of Descent): a function that
 * takes an `np.Array` (or a tree of them) consumes it. Pass `x.ref` / `refTree(t)` to keep
 * using a value. Functions documented as "borrows" read their argument without consuming it.
 */
import "./polyfills.js";
export { startEngine } from "./start.js";
export { precisionOf, dtypeName, toDevice, type Precision, type DTypeName } from "./precision.js";
export * as random from "./random.js";
export type { Key } from "./random.js";
export {
  type Tree,
  type HostTensor,
  leavesWithPaths,
  mapWithPaths,
  refTree,
  disposeTree,
  treeToHost,
  treeFromHost,
  countParameters,
} from "./tree.js";
export { realize, realizeAsync } from "./realize.js";
export { gemmStatus, gemmCalls, setGemmEnabled, type GemmStatus } from "./gemm/hook.js";
export {
  threadStatus,
  threadsReady,
  setThreadsEnabled,
  setThreads,
  ThreadConfigError,
  type ThreadStatus,
} from "./threads/install.js";
export {
  type FlatLayout,
  layoutOfShapes,
  layoutOfTree,
  flattenTree,
  unflattenTree,
  splitFlat,
  unflattenArray,
} from "./flat.js";
export { onDevice, withDefaultDevice } from "./device.js";
export { cpuCompileStatus, setCpuCompileEnabled, type CpuCompileStatus } from "./cpu/hook.js";
export {
  exactFloat64Status,
  setExactFloat64Enabled,
  type ExactF64Status,
} from "./f64/hook.js";
