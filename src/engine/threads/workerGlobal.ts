/**
 * The global `Worker` that makes jax-js create its Wasm memory shared, safe even when jax-js was loaded
 * before it. jax-js asks `typeof Worker` when its Wasm backend is built (then it picks a shared or a plain
 * memory) and again at every kernel compile and read (then a shared memory must really be there). So
 * until jax-js's backend is seen creating its memory, the `Worker` exists only for that constructor
 * (`new WasmBackend` on the stack); asked from anywhere else first, jax-js's memory predates this module
 * and is plain, and the `Worker` is gone for good. The adapter itself is ../workerThreads.ts.
 */

type State = "pending" | "shared" | "plain";

/** Defines `globalThis.Worker` as `adapter` under the rule above; returns the state, read at each call. */
export function installWorkerGlobal(adapter: unknown): () => State {
  let state: State = "pending";
  const OriginalMemory = WebAssembly.Memory;
  const settle = (to: State) => {
    state = to;
    WebAssembly.Memory = OriginalMemory;
  };
  WebAssembly.Memory = new Proxy(OriginalMemory, {
    construct(target, args, newTarget) {
      const memory = Reflect.construct(target, args, newTarget) as WebAssembly.Memory;
      if (state === "pending" && (args[0] as WebAssembly.MemoryDescriptor | undefined)?.shared) settle("shared");
      return memory;
    },
  });
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get() {
      if (state === "pending" && !/\bnew WasmBackend\b/.test(new Error().stack ?? "")) settle("plain");
      return state === "plain" ? undefined : adapter;
    },
  });
  return () => state;
}
