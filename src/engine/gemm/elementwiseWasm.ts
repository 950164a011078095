/**
 * Wasm code for a multi-output elementwise kernel: out_k[i] = expr_k(inputs[i], earlier outputs' values),
 * for every element i, with SIMD lanes and a scalar tail. kernelMerge.ts uses it to compute sibling
 * elementwise kernels (Adam's m', v' and θ') in one pass, keeping each value in a register for the
 * expressions that read it. Each operation is the IEEE operation jax-js's own code performs
 * (add, sub, mul, div, sqrt, min, max: correctly rounded, lane by lane), in the same tree order, so
 * the results are bit-identical to jax-js's separate kernels.
 */
import { kernelModuleBytes, sleb, uleb } from "../wasmBytes.js";

export type ElementDtype = "float32" | "float64";

/**
 * A value of one element: a constant, a contiguous input read
 * at i, one input element for every i, or an earlier output.
 */
export type Expr =
  | { op: "const"; value: number }
  | { op: "load"; arg: number }
  | { op: "splat"; arg: number; element: number }
  | { op: "output"; index: number }
  | { op: "add" | "sub" | "mul" | "div" | "min" | "max"; src: [Expr, Expr] }
  | { op: "sqrt"; src: [Expr] }
  /** jax-js's float32 e^x (its wasm_exp: range reduction, a degree-6 polynomial, 2^k by exponent bits). */
  | { op: "exp"; src: [Expr] };

/** The coefficients of jax-js's exp polynomial (r⁰ … r⁶), rounded to float32 as its code does. */
const EXP_POLY = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720];

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
  // Temporaries of exp: x, k (as float), r, result in its type (v128 or scalar), and k as i32 (scalar).
  const [vx, vkf, vk, vr, vres] = [0, 1, 2, 3, 4].map((j) => args + 4 + 2 * outputs.length + j);
  const [sx, skf, sr, sres] = [0, 1, 2, 3].map((j) => args + 9 + 2 * outputs.length + j);
  const sk = args + 13 + 2 * outputs.length;
  const address = (arg: number) => [0x20, ...uleb(arg), 0x20, ...uleb(i), 0x41, shift, 0x74, 0x6a]; // p + (i << shift)
  const constant = (value: number, vector: boolean) => {
    const bytes = new Uint8Array(t.bytes);
    const view = new DataView(bytes.buffer);
    if (dtype === "float32") view.setFloat32(0, value, true);
    else view.setFloat64(0, value, true);
    if (!vector) return [dtype === "float32" ? 0x43 : 0x44, ...bytes];
    return [SIMD, ...uleb(0x0c), ...Array.from({ length: t.lanes }, () => [...bytes]).flat()]; // v128.const
  };
  const gen = (e: Expr, vector: boolean): number[] => {
    switch (e.op) {
      case "const":
        return constant(e.value, vector);
      case "load":
        return [...address(e.arg), ...(vector ? [SIMD, ...uleb(0x00), 0, 0] : [t.load, shift, 0])];
      case "splat": {
        const pointer = [0x20, ...uleb(e.arg)];
        const offset = uleb(e.element * t.bytes);
        return [...pointer, ...(vector ? [SIMD, ...uleb(t.loadSplat), shift, ...offset] : [t.load, shift, ...offset])];
      }
      case "output":
        return [0x20, ...uleb(vector ? vectorLocal(e.index) : scalarLocal(e.index))];
      case "sqrt":
        return [...gen(e.src[0], vector), ...opcode(t.sqrt, vector)];
      case "exp":
        if (dtype !== "float32") throw new Error("exp is generated for float32 only");
        return [...gen(e.src[0], vector), ...(vector ? expVector() : expScalar())];
      default:
        return [...gen(e.src[0], vector), ...gen(e.src[1], vector), ...opcode(t[e.op], vector)];
    }
  };
  const opcode = ([scalar, simd]: readonly [number, number], vector: boolean) =>
    vector ? [SIMD, ...uleb(simd)] : [scalar];
  const get = (local: number) => [0x20, ...uleb(local)];
  const set = (local: number) => [0x21, ...uleb(local)];
  const v = (op: number) => [SIMD, ...uleb(op)];
  const i32x4 = (value: number) => {
    const lanes = new Uint8Array(16);
    new DataView(lanes.buffer).setInt32(0, value, true);
    for (let j = 4; j < 16; j++) lanes[j] = lanes[j % 4];
    return [...v(0x0c), ...lanes];
  };
  /** Horner's rule over EXP_POLY in r, as jax-js's _poly: c₆, then (· r + c_i) down to c₀. */
  const poly = (r: number, vector: boolean) => {
    const out = constant(EXP_POLY[6], vector);
    for (let j = 5; j >= 0; j--)
      out.push(...get(r), ...opcode(t.mul, vector), ...constant(EXP_POLY[j], vector), ...opcode(t.add, vector));
    return out;
  };
  // jax-js's wasm_exp, lane by lane: k = nearest(x · 1/ln2); k > 127 → +∞; k < −126 → 0;
  // else P(x − k · ln2) · 2^k. Its early returns become selects (the other branch has no effects).
  const expScalar = () => [
    ...set(sx),
    ...[...get(sx), ...constant(1 / Math.LN2, false), 0x94, 0x90, 0x22, ...uleb(skf), 0xfc, 0x00, ...set(sk)],
    ...[...get(sx), ...get(skf), ...constant(Math.LN2, false), 0x94, 0x93, ...set(sr)],
    ...poly(sr, false),
    ...[...get(sk), 0x41, ...sleb(127), 0x6a, 0x41, 23, 0x74, 0xbe, 0x94, ...set(sres)],
    ...[...constant(Infinity, false), ...get(sres), ...get(sk), 0x41, ...sleb(127), 0x4a, 0x1b],
    ...[...set(sres), ...constant(0, false), ...get(sres), ...get(sk), 0x41, ...sleb(-126), 0x48, 0x1b],
  ];
  const expVector = () => [
    ...set(vx),
    ...[
      ...get(vx),
      ...constant(1 / Math.LN2, true),
      ...v(0xe6),
      ...v(0x6a),
      0x22,
      ...uleb(vkf),
      ...v(0xf8),
      ...set(vk),
    ],
    ...[...get(vx), ...get(vkf), ...constant(Math.LN2, true), ...v(0xe6), ...v(0xe5), ...set(vr)],
    ...poly(vr, true),
    ...[...get(vk), ...i32x4(127), ...v(0xae), 0x41, 23, ...v(0xab), ...v(0xe6), ...set(vres)],
    ...[...constant(Infinity, true), ...get(vres), ...get(vk), ...i32x4(127), ...v(0x3b), ...v(0x52)],
    ...[...set(vres), ...constant(0, true), ...get(vres), ...get(vk), ...i32x4(-126), ...v(0x39), ...v(0x52)],
  ];
  // One pass over the elements: each output's value into its local, then stored.
  const loop = (vector: boolean, limit: number, step: number) => {
    const body: number[] = [0x02, 0x40, 0x03, 0x40]; // block, loop
    body.push(0x20, ...uleb(i), 0x20, ...uleb(limit), 0x4f, 0x0d, 1); // i >= limit: break
    outputs.forEach((e, k) => {
      const local = vector ? vectorLocal(k) : scalarLocal(k);
      body.push(...gen(e, vector), 0x21, ...uleb(local));
      body.push(...address(inputs + k), 0x20, ...uleb(local));
      body.push(...(vector ? [SIMD, ...uleb(0x0b), 0, 0] : [t.store, shift, 0]));
    });
    body.push(0x20, ...uleb(i), 0x41, ...sleb(step), 0x6a, 0x21, ...uleb(i), 0x0c, 0, 0x0b, 0x0b);
    return body;
  };
  const code = [
    // Locals: i, end4; output values as vectors, as scalars; exp's temporaries (5 v128, 4 scalars, 1 i32).
    ...[6, 2, 0x7f, outputs.length, 0x7b, outputs.length, t.scalarType, 5, 0x7b, 4, t.scalarType, 1, 0x7f],
    ...[0x20, ...uleb(begin), 0x21, ...uleb(i)],
    // end4 = begin + ((end − begin) & −lanes)
    ...[0x20, ...uleb(end), 0x20, ...uleb(begin), 0x6b, 0x41, ...sleb(-t.lanes), 0x71],
    ...[0x20, ...uleb(begin), 0x6a, 0x21, ...uleb(end4)],
    ...loop(true, end4, t.lanes),
    ...loop(false, end, 1),
    0x0b,
  ];
  const params = args + 2;
  return kernelModuleBytes(params, code);
}
