import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  addDiagonal,
  cholesky,
  choleskySolve,
  identity,
  luSolve,
  matVec,
  symmetricEigen,
} from "../../src/linalg/matrix.js";

const A = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-13) =>
  Array.from(a).every((v, i) => Math.abs(v - b[i]) <= tol * (1 + Math.abs(b[i])));

describe("host linear algebra", () => {
  it("Cholesky solves a positive definite system and refuses an indefinite one", () => {
    const L = cholesky(A, 3)!;
    const x = choleskySolve(L, [1, 2, 3]);
    assert.ok(close(matVec(A, x), [1, 2, 3]));
    assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), undefined);
    assert.ok(cholesky(addDiagonal(Float64Array.from([1, 2, 2, 1]), 2, 1.5), 2));
  });

  it("LU with partial pivoting solves systems whose first pivot is zero, and names a singular one", () => {
    const M = Float64Array.from([0, 1, 1, 1, 0, 2, 1, 2, 0]);
    const x = luSolve(M, [3, 7, 5]);
    assert.ok(close(matVec(M, x), [3, 7, 5]));
    assert.throws(() => luSolve(Float64Array.from([1, 2, 2, 4]), [1, 1]), /singular matrix/);
  });

  it("Jacobi eigen-decomposition: orthonormal eigenvectors that rebuild the matrix", () => {
    const { values, vectors } = symmetricEigen(A, 3);
    const n = 3;
    const rebuilt = new Float64Array(9);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) rebuilt[i * n + j] += vectors[i * n + k] * values[k] * vectors[j * n + k];
    assert.ok(close(rebuilt, A, 1e-13));
    const VtV = new Float64Array(9);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) for (let i = 0; i < n; i++) VtV[a * n + b] += vectors[i * n + a] * vectors[i * n + b];
    assert.ok(close(VtV, identity(3), 1e-14));
    const eig = symmetricEigen(Float64Array.from([2, 0, 0, -3]), 2).values;
    assert.deepEqual(
      Array.from(eig).sort((a, b) => a - b),
      [-3, 2],
    );
  });
});
