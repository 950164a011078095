export { type Vec, dot, norm, maxAbs, pointAt, axpy, scale, sub, neg, orthogonalize } from "./vector.js";
export {
  type Matrix,
  identity,
  matVec,
  addDiagonal,
  cholesky,
  choleskySolve,
  luSolve,
  symmetricEigen,
} from "./matrix.js";
