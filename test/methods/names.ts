/** The method names issue #4 asks `descent optimize` to accept. */
export const SOLVER_NAMES = [
  "newton",
  "cg-fr",
  "cg-pr",
  "cg-prplus",
  "bfgs",
  "lbfgs",
  "newton-cg",
  "coordinate-descent",
  "book.newton",
  "book.cg_fr",
  "book.cg_pr",
];
