// Records jax-js's Wasm memories: import this before jax-js loads (it creates its memory at import). A leak of device
// buffers makes the heap grow, while freed buffers are reused and the heap stays flat.
const memories: WebAssembly.Memory[] = [];
const OriginalMemory = WebAssembly.Memory;
(WebAssembly as { Memory: unknown }).Memory = class extends OriginalMemory {
  constructor(descriptor: WebAssembly.MemoryDescriptor) {
    super(descriptor);
    memories.push(this);
  }
};

/** Bytes of every Wasm memory created since this module loaded. */
export const heapBytes = () => memories.reduce((n, m) => n + m.buffer.byteLength, 0);
