// Node 20 has no Float16Array, but jax-js names it when it reads typed arrays; a placeholder
// class is enough because we never create float16 arrays. Must run before jax-js is used.
const globals = globalThis as Record<string, unknown>;
if (typeof globals.Float16Array === "undefined") {
  globals.Float16Array = class Float16ArrayPlaceholder {
    constructor() {
      throw new Error("float16 arrays are not supported on this runtime (Node < 22)");
    }
  };
}
export {};
