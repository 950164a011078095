/**
 * Vectorises jax-js's float32 elementwise kernels that divide. jax-js 0.1.25 writes a/b as
 * a·Reciprocal(b) and its SIMD code generator has no Reciprocal, so any such kernel (Adam's θ
 * update, RMSProp, Adagrad, the softmax's normalisation) runs one scalar lane at a time.
 *
 * We let jax-js generate the kernel twice, with Reciprocal(x) replaced by 1 − Floor(x) and by
 * 1 − Ceil(x) (both SIMD-eligible, and its simplifier keeps Sub's operand order). The two byte
 * strings differ exactly at the floor/ceil opcodes, each directly followed by the subtraction;
 * rewriting that pair (f32x4.floor; f32x4.sub, or f32.floor; f32.sub in the scalar tail) into the
 * division of the same width plus nops gives 1/x on the stack [1, x]. IEEE division and square
 * root are correctly rounded in both widths, so results are bit-identical to jax-js's scalar code.
 * Anything unexpected (lengths differ, a byte that is not the expected opcode, a kernel that
 * already rounds) leaves the kernel to jax-js.
 */
import type { AluNode } from "./match.js";

/** The parts of jax-js's internals this needs (see jaxInternals.ts). */
export interface ReciprocalTools {
  /** new AluExp(op, dtype, src, arg). */
  makeAlu(op: string, dtype: string, src: AluNode[], arg?: unknown): AluNode;
  /** new Kernel(nargs, size, exp, reduction). */
  makeKernel(nargs: number, size: number, exp: AluNode, reduction: unknown): unknown;
  /** jax-js's own preparation (its Executable carries `data.program`). */
  prepare(kernel: unknown): { data: { program: Record<string, unknown> } };
}

interface KernelLike {
  nargs: number;
  size: number;
  exp: AluNode;
  reduction?: unknown;
}

// Wasm opcodes: SIMD ones follow the 0xfd prefix as LEB128 u32 (ceil/floor one byte, sub/div two, ending 0x01).
const SIMD_PREFIX = 0xfd;
const F32X4_CEIL = 0x67;
const F32X4_FLOOR = 0x68;
const F32X4_SUB = [SIMD_PREFIX, 0xe5, 0x01];
const F32X4_DIV_NOP_NOP = [SIMD_PREFIX, 0xe7, 0x01, 0x01, 0x01];
const F32_CEIL = 0x8d;
const F32_FLOOR = 0x8e;
const F32_SUB = 0x93;
const F32_DIV = 0x95;
const NOP = 0x01;

function uses(node: AluNode, ops: Set<string>, seen = new Set<AluNode>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  return ops.has(node.op) || node.src.some((child) => uses(child, ops, seen));
}

type Sentinel = "Floor" | "Ceil";

/** The tree with every float32 Reciprocal(x) replaced by 1 − op(x); shared subtrees stay shared. */
function replaceReciprocal(root: AluNode, op: Sentinel, tools: ReciprocalTools): AluNode {
  const done = new Map<AluNode, AluNode>();
  const visit = (node: AluNode): AluNode => {
    const known = done.get(node);
    if (known) return known;
    const src = node.src.map(visit);
    let out = node;
    if (node.op === "Reciprocal") {
      const one = tools.makeAlu("Const", node.dtype, [], 1);
      out = tools.makeAlu("Sub", node.dtype, [one, tools.makeAlu(op, node.dtype, [src[0]])]);
    } else if (src.some((s, i) => s !== node.src[i])) out = tools.makeAlu(node.op, node.dtype, src, node.arg);
    done.set(node, out);
    return out;
  };
  return visit(root);
}

/** The Wasm bytes jax-js compiles for a kernel, caught at its `new WebAssembly.Module` (none when it was cached). */
function prepareCapturing(
  kernel: unknown,
  tools: ReciprocalTools,
): { bytes?: Uint8Array; program: Record<string, unknown> } {
  const Original = WebAssembly.Module;
  let bytes: Uint8Array | undefined;
  // A subclass, so jax-js's `new WebAssembly.Module(bytes)` still constructs a real module.
  const Capturing = class extends Original {
    constructor(source: BufferSource) {
      super(source);
      const view = ArrayBuffer.isView(source) ? source : new Uint8Array(source);
      bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
    }
  };
  WebAssembly.Module = Capturing;
  try {
    const { program } = tools.prepare(kernel).data;
    return { bytes, program };
  } finally {
    WebAssembly.Module = Original;
  }
}

const bytesAt = (bytes: Uint8Array, at: number, want: number[]) => want.every((b, k) => bytes[at + k] === b);

/** The Floor variant with each floor-then-subtract (where Floor and Ceil differ) made a division; null on a misfit. */
function divisionBytes(withFloor: Uint8Array, withCeil: Uint8Array): Uint8Array<ArrayBuffer> | null {
  if (withFloor.length !== withCeil.length) return null;
  const out = new Uint8Array(withFloor);
  let rewritten = 0;
  for (let i = 0; i < out.length; i++) {
    if (withFloor[i] === withCeil[i]) continue;
    const simd = withFloor[i] === F32X4_FLOOR && withCeil[i] === F32X4_CEIL && out[i - 1] === SIMD_PREFIX;
    if (simd && bytesAt(out, i + 1, F32X4_SUB)) out.set(F32X4_DIV_NOP_NOP, i - 1);
    else if (withFloor[i] === F32_FLOOR && withCeil[i] === F32_CEIL && out[i + 1] === F32_SUB)
      out.set([F32_DIV, NOP], i);
    else return null;
    rewritten++;
  }
  return rewritten > 0 ? out : null;
}

// Programs by the Floor variant's kernel hash: jax-js caches that variant, so its bytes come only once.
const programs = new Map<unknown, Record<string, unknown> | null>();

/**
 * A program for a float32 elementwise kernel with Reciprocal, its divisions vectorised; undefined
 * when the kernel is not one (or anything does not fit), so jax-js keeps it.
 */
export function reciprocalProgram(kernel: KernelLike, tools: ReciprocalTools): Record<string, unknown> | undefined {
  const { exp } = kernel;
  if (kernel.reduction || exp?.dtype !== "float32" || !uses(exp, new Set(["Reciprocal"]))) return undefined;
  if (uses(exp, new Set(["Floor", "Ceil"]))) return undefined;
  const variant = (op: Sentinel) =>
    prepareCapturing(tools.makeKernel(kernel.nargs, kernel.size, replaceReciprocal(exp, op, tools), undefined), tools);
  const floor = variant("Floor");
  const key = floor.program.kernelHash;
  if (!floor.bytes) return programs.get(key) ?? undefined;
  const ceil = variant("Ceil");
  const bytes = ceil.bytes && divisionBytes(floor.bytes, ceil.bytes);
  const found =
    bytes && WebAssembly.validate(bytes)
      ? { ...floor.program, kernelHash: `descent-recip:${String(key)}`, module: new WebAssembly.Module(bytes) }
      : null;
  programs.set(key, found);
  return found ?? undefined;
}
