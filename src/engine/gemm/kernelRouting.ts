/**
 * Which of Descent's programs runs a jax-js kernel, decided when jax-js prepares it: the packed GEMM
 * (or dot) for a matmul-shaped kernel, with its shapes baked into the module; else a generated loop
 * nest for a sum of strided views (viewSum.ts); else vectorised divisions for a float32 elementwise
 * kernel that divides (simdReciprocal.ts); else none, and the kernel stays with jax-js. jit replays
 * the same Kernel objects every step, so each one's verdict is remembered; the switches (switches.ts)
 * are read at every preparation, so turning a route off applies from the next step.
 */
import { gemmModuleBytes, type GemmDtype, type GemmParams } from "./module.js";
import { matchGemm, type GemmMatch, type MatchTools } from "./match.js";
import { reciprocalProgram, type ReciprocalTools } from "./simdReciprocal.js";
import { status } from "./status.js";
import { switches } from "./switches.js";
import { splitsByRows, VIEW_SUM_HASH, VIEW_SUM_RELU_HASH, viewSumCompiler, viewSumVariant } from "./viewSumRouting.js";
import * as threads from "../threads/install.js";
import type { Program } from "../threads/jobs.js";

/** kernelHash prefix of the programs simdReciprocal.ts makes. */
const RECIPROCAL_HASH = "descent-recip:";

/** What the routes need to compile their programs. */
export interface RoutingContext {
  tools: MatchTools;
  /** Makers of jax-js expressions and kernels, and jax-js's own (unwrapped) preparation. */
  reciprocalTools: ReciprocalTools;
  /** Byte address of the GEMM's scratch block. */
  scratch: number;
  /** relaxed_madd available. */
  fma: boolean;
  /** Whether jax-js's memory is shared (modules must import it as such). */
  shared: boolean;
}

/** Programs with jax-js's calling convention (items [start, end)), which the pool may split. */
export const splittable = (found: Program): boolean =>
  found.kernelHash.startsWith(RECIPROCAL_HASH) || splitsByRows(found);

/** The router: a kernel's program, or undefined when it stays with jax-js (or its route is switched off). */
export function kernelRouter(context: RoutingContext): (kernel: unknown) => Program | undefined {
  const { tools, reciprocalTools, scratch, fma, shared } = context;
  const programs = new Map<string, Program>();
  // One module per product shape: every kernel of that shape shares it.
  const gemmProgram = (match: GemmMatch): Program => {
    const params: GemmParams = { ...match.params, scratch };
    const key = `${match.kind}:${match.dtype}:${Object.values(params).join(",")}`;
    let found = programs.get(key);
    if (!found) {
      const bytes = gemmModuleBytes(match.dtype as GemmDtype, params, { fma, shared, kind: match.kind });
      // One chunk of work: a worker pool (if any) runs the whole product on one worker.
      found = {
        kernelHash: `descent-gemm:${key}`,
        module: new WebAssembly.Module(bytes),
        workSize: 1,
        chunkAlignment: 1,
      };
      programs.set(key, found);
      status.kernels = programs.size;
      if (match.kind === "gemm" && shared) threads.registerGemm(found, match.dtype as GemmDtype, params);
    }
    return found;
  };
  // Not a matmul: a float32 elementwise kernel that divides gets its divisions vectorised.
  const divisionProgram = (kernel: unknown): Program | undefined => {
    try {
      const found = reciprocalProgram(kernel as Parameters<typeof reciprocalProgram>[0], reciprocalTools);
      if (found) status.divisionKernels++;
      return found as Program | undefined;
    } catch {
      return undefined;
    }
  };
  // Not arithmetic at all: a sum of (masked) strided views gets loops over each view's box.
  const viewSumProgram = viewSumCompiler(tools, shared, status);
  const compileMatch = (kernel: unknown): Program | undefined => {
    const match = matchGemm(kernel as Parameters<typeof matchGemm>[0], tools);
    if (!match) return viewSumProgram(kernel) ?? divisionProgram(kernel);
    return gemmProgram(match);
  };

  // jit replays the same Kernel objects every step: remember each one's verdict.
  const verdicts = new WeakMap<object, Program | null>();
  return (kernel) => {
    if (!switches.gemm) return undefined;
    let found = verdicts.get(kernel as object);
    if (found === undefined) {
      found = compileMatch(kernel) ?? null;
      verdicts.set(kernel as object, found);
    }
    if (found?.kernelHash.startsWith(RECIPROCAL_HASH) && !switches.reciprocal) return undefined;
    if (found?.kernelHash.startsWith(VIEW_SUM_HASH) && !switches.viewSum) return undefined;
    if (found?.kernelHash.startsWith(VIEW_SUM_RELU_HASH) && !switches.reluMask) return undefined;
    return found ? viewSumVariant(found) : undefined;
  };
}
