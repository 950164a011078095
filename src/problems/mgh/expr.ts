import { numpy as np } from "@jax-js/jax";
import { toDevice, type Precision } from "../../engine/index.js";

/** A JS number (or a host vector / matrix) used as a constant, or an expression. */
export type Operand = Expr | number | readonly number[] | readonly (readonly number[])[];

/**
 * One evaluation's workspace for writing test functions as formulas. jax-js consumes its arguments,
 * so every operation here takes references and the scope frees all intermediates at the end; JS
 * numbers become device constants of the problem's dtype (under jit, bare JS numbers would be
 * rounded to float32 even in float64 programs: DESIGN.md).
 */
export class Scope {
  private readonly owned: np.Array[] = [];
  constructor(readonly precision: Precision) {}

  /** Takes ownership of an array produced inside the scope. */
  own(array: np.Array): Expr {
    this.owned.push(array);
    return new Expr(this, array);
  }

  constant(value: Exclude<Operand, Expr>): Expr {
    if (typeof value === "number") return this.own(toDevice([value], [], this.precision));
    if (value.length > 0 && Array.isArray(value[0])) {
      const rows = value as readonly (readonly number[])[];
      return this.own(toDevice(rows.flat(), [rows.length, rows[0].length], this.precision));
    }
    return this.own(toDevice(value as readonly number[], [value.length], this.precision));
  }

  lift(value: Operand): Expr {
    return value instanceof Expr ? value : this.constant(value);
  }

  /** Scalars (or vectors) laid side by side: the residual vector (f_1, …, f_m). */
  concat(items: Operand[]): Expr {
    return this.own(
      np.concatenate(
        items.map((item) => {
          const e = this.lift(item);
          return e.array.ndim === 0 ? e.array.ref.reshape([1]) : e.array.ref;
        }),
      ),
    );
  }

  /** a where cond holds, else b (elementwise). */
  where(cond: np.Array, a: Operand, b: Operand): Expr {
    this.owned.push(cond);
    return this.own(np.where(cond.ref, this.lift(a).array.ref, this.lift(b).array.ref));
  }

  /** Hands out the result and frees everything else the evaluation made. */
  release(result: Expr): np.Array {
    const out = result.array.ref;
    for (const array of this.owned) array.dispose();
    this.owned.length = 0;
    return out;
  }
}

/** An array inside a Scope, with arithmetic that never consumes its operands. */
export class Expr {
  constructor(
    private readonly scope: Scope,
    readonly array: np.Array,
  ) {}

  private other(value: Operand): np.Array {
    return this.scope.lift(value).array.ref;
  }

  private unary(op: (a: np.Array) => np.Array): Expr {
    return this.scope.own(op(this.array.ref));
  }

  add(value: Operand): Expr {
    return this.scope.own(np.add(this.array.ref, this.other(value)));
  }
  sub(value: Operand): Expr {
    return this.scope.own(np.subtract(this.array.ref, this.other(value)));
  }
  /** value − this. */
  rsub(value: Operand): Expr {
    return this.scope.own(np.subtract(this.other(value), this.array.ref));
  }
  mul(value: Operand): Expr {
    return this.scope.own(np.multiply(this.array.ref, this.other(value)));
  }
  div(value: Operand): Expr {
    return this.scope.own(np.divide(this.array.ref, this.other(value)));
  }
  /** value / this. */
  rdiv(value: Operand): Expr {
    return this.scope.own(np.divide(this.other(value), this.array.ref));
  }
  /** this^value for a positive base (the exponent may be an expression). */
  pow(value: Operand): Expr {
    return this.scope.own(np.power(this.array.ref, this.other(value)));
  }
  neg = () => this.unary((a) => np.negative(a));
  square = () => this.unary((a) => np.square(a));
  cube = () => this.mul(this.square());
  exp = () => this.unary((a) => np.exp(a));
  sin = () => this.unary((a) => np.sin(a));
  cos = () => this.unary((a) => np.cos(a));
  sqrt = () => this.unary((a) => np.sqrt(a));
  abs = () => this.unary((a) => np.abs(a));
  atan = () => this.unary((a) => np.atan(a));
  sum = () => this.unary((a) => np.sum(a));
  prod = () => this.unary((a) => np.prod(a));
  less = (value: Operand): np.Array => np.less(this.array.ref, this.other(value));

  /**
   * Component i (0-based), a scalar, as a dot product with e_i. Not `slice`: jax-js 0.1.25 under jit
   * transposes a slice whose cotangent does not depend on x (a term linear in x_i) into ones everywhere
   * (jit(grad(x => x.slice(0)))([1, 2, 3]) gives [1, 1, 1]; eager grad gives [1, 0, 0]).
   */
  at(i: number): Expr {
    const n = this.array.shape[0];
    return this.scope.own(np.dot(this.array.ref, this.other(Array.from({ length: n }, (_, j) => (j === i ? 1 : 0)))));
  }
  /** Components [start, end), by a 0/1 selection matrix (see `at` for why not `slice`). */
  range(start: number, end: number): Expr {
    const n = this.array.shape[0];
    return this.leftMul(
      Array.from({ length: end - start }, (_, r) => Array.from({ length: n }, (_, j) => (j === start + r ? 1 : 0))),
    );
  }
  /** M · this for a constant host matrix M. */
  leftMul(matrix: readonly (readonly number[])[]): Expr {
    return this.scope.own(np.matmul(this.other(matrix), this.array.ref));
  }
}

/** f = Σ r_i(x)², the sum of squares of the residuals a body writes. */
export function sumOfSquares(
  precision: Precision,
  residuals: (x: Expr, scope: Scope) => Expr,
): (x: np.Array) => np.Array {
  return (x) => {
    const scope = new Scope(precision);
    const out = residuals(scope.own(x), scope).square().sum();
    return scope.release(out);
  };
}
