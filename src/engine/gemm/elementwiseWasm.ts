/**
 * Wasm code for a multi-output elementwise kernel: out_k[i] = expr_k(inputs[i], earlier outputs' values),
 * for every element i, with SIMD lanes and a scalar tail. kernelMerge.ts uses it to compute sibling
 * elementwise kernels (Adam's m', v' and θ') in one pass, keeping each value in a register for the
 * expressions that read it. Each operation is the IEEE operation jax-js's own code performs
 * (add, sub, mul, div, sqrt, min, max: correctly rounded, lane by lane), in the same tree order, so
 * the results are bit-identical to jax-js's separate kernels.
 */

export type ElementDtype = "float32" | "float64";

/** A value of one element: a constant, a contiguous input read at i, one input element for every i, or an earlier output. */
export type Expr =
  | { op: "const"; value: number }
  | { op: "load"; arg: number }
  | { op: "splat"; arg: number; element: number }
  | { op: "output"; index: number }
  | { op: "add" | "sub" | "mul" | "div" | "min" | "max"; src: [Expr, Expr] }
  | { op: "sqrt"; src: [Expr] };

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
};
const name = (s: string) => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload];
const SIMD = 0xfd;

/** Opcodes per dtype: [scalar, vector (after 0xfd)]; vector ones are LEB-encoded u32. */
const OPS = {
  float32: {
    bytes: 4,
    lanes: 4,
    add: [0x92, 0xe4],
    sub: [0x93, 0xe5],
    mul: [0x94, 0xe6],
    div: [0x95, 0xe7],
    min: [0x96, 0xe8],
    max: [0x97, 0xe9],
    sqrt: [0x91, 0xe3],
    load: 0x2a,
    store: 0x38,
    loadSplat: 0x09,
    scalarType: 0x7d,
  },
  float64: {
    bytes: 8,
    lanes: 2,
    add: [0xa0, 0xf0],
    sub: [0xa1, 0xf1],
    mul: [0xa2, 0xf2],
    div: [0xa3, 0xf3],
    min: [0xa4, 0xf4],
    max: [0xa5, 0xf5],
    sqrt: [0x9f, 0xef],
    load: 0x2b,
    store: 0x39,
    loadSplat: 0x0a,
    scalarType: 0x7c,
  },
} as const;

/**
 * The module (imports env.memory, exports `kernel(p_0 … p_{n−1}, begin, end)` as jax-js calls its
 * kernels): arguments 0 … inputs−1 are the inputs, then one output per expression, in order.
 */
export function elementwiseModuleBytes(dtype: ElementDtype, inputs: number, outputs: Expr[]): Uint8Array<ArrayBuffer> {
  const t = OPS[dtype];
  const shift = Math.log2(t.bytes);
  const args = inputs + outputs.length;
  const [begin, end, i, end4] = [args, args + 1, args + 2, args + 3];
  const vectorLocal = (k: number) => args + 4 + k;
  const scalarLocal = (k: number) => args + 4 + outputs.length + k;
  const address = (arg: number) => [0x20, ...leb(arg), 0x20, ...leb(i), 0x41, shift, 0x74, 0x6a]; // p + (i << shift)
  const constant = (value: number, vector: boolean) => {
    const bytes = new Uint8Array(t.bytes);
    const view = new DataView(bytes.buffer);
    if (dtype === "float32") view.setFloat32(0, value, true);
    else view.setFloat64(0, value, true);
    if (!vector) return [dtype === "float32" ? 0x43 : 0x44, ...bytes];
    return [SIMD, ...leb(0x0c), ...Array.from({ length: t.lanes }, () => [...bytes]).flat()]; // v128.const
  };
  const gen = (e: Expr, vector: boolean): number[] => {
    switch (e.op) {
      case "const":
        return constant(e.value, vector);
      case "load":
        return [...address(e.arg), ...(vector ? [SIMD, ...leb(0x00), 0, 0] : [t.load, shift, 0])];
      case "splat": {
        const pointer = [0x20, ...leb(e.arg)];
        const offset = leb(e.element * t.bytes);
        return [...pointer, ...(vector ? [SIMD, ...leb(t.loadSplat), shift, ...offset] : [t.load, shift, ...offset])];
      }
      case "output":
        return [0x20, ...leb(vector ? vectorLocal(e.index) : scalarLocal(e.index))];
      case "sqrt":
        return [...gen(e.src[0], vector), ...opcode(t.sqrt, vector)];
      default:
        return [...gen(e.src[0], vector), ...gen(e.src[1], vector), ...opcode(t[e.op], vector)];
    }
  };
  const opcode = ([scalar, simd]: readonly [number, number], vector: boolean) =>
    vector ? [SIMD, ...leb(simd)] : [scalar];
  // One pass over the elements: each output's value into its local, then stored.
  const loop = (vector: boolean, limit: number, step: number) => {
    const body: number[] = [0x02, 0x40, 0x03, 0x40]; // block, loop
    body.push(0x20, ...leb(i), 0x20, ...leb(limit), 0x4f, 0x0d, 1); // i >= limit: break
    outputs.forEach((e, k) => {
      const local = vector ? vectorLocal(k) : scalarLocal(k);
      body.push(...gen(e, vector), 0x21, ...leb(local));
      body.push(...address(inputs + k), 0x20, ...leb(local));
      body.push(...(vector ? [SIMD, ...leb(0x0b), 0, 0] : [t.store, shift, 0]));
    });
    body.push(0x20, ...leb(i), 0x41, ...sleb(step), 0x6a, 0x21, ...leb(i), 0x0c, 0, 0x0b, 0x0b);
    return body;
  };
  const code = [
    ...[3, 2, 0x7f, outputs.length, 0x7b, outputs.length, t.scalarType], // locals: i, end4; vectors; scalars
    ...[0x20, ...leb(begin), 0x21, ...leb(i)],
    // end4 = begin + ((end − begin) & −lanes)
    ...[0x20, ...leb(end), 0x20, ...leb(begin), 0x6b, 0x41, ...sleb(-t.lanes), 0x71],
    ...[0x20, ...leb(begin), 0x6a, 0x21, ...leb(end4)],
    ...loop(true, end4, t.lanes),
    ...loop(false, end, 1),
    0x0b,
  ];
  const params = args + 2;
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, ...leb(params), ...new Array(params).fill(0x7f), 0]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("kernel"), 0x00, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}
