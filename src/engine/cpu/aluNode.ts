/** The parts of a jax-js AluExp node the compiler reads (jax-js ships no types for them). */
export interface CpuAluNode {
  op: string;
  dtype: string;
  src: CpuAluNode[];
  arg: unknown;
  evaluate(context: Record<string, number>, globals: (gid: number, index: number) => number): number;
}
