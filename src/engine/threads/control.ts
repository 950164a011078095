/**
 * The control block the main thread and the workers share (an Int32Array over a SharedArrayBuffer).
 * A job is published by writing its fields, then CLAIM, then SEQ. Tiles are claimed by a
 * compare-and-swap on CLAIM = (job tag << 16) | next tile, so a worker that wakes up late (after its
 * job ended and another began) can never claim a tile of a job it did not read.
 */
export const CONTROL = {
  /** Job sequence number: workers spin (then sleep) until it changes. */
  SEQ: 0,
  CLAIM: 1,
  /** Tiles finished in the current job. */
  DONE: 2,
  /** Workers asleep in Atomics.wait on SEQ: the main thread notifies only when some are. */
  SLEEPERS: 3,
  /** Set when a tile threw in a worker; the main thread then throws. */
  ERROR: 4,
  STOP: 5,
  /** The job: program id, tile count, axis (0 rows, 1 columns, 2 items), tile size, M, N (items: items, pointers). */
  ID: 6,
  TILES: 7,
  AXIS: 8,
  SIZE: 9,
  M: 10,
  N: 11,
  /** The kernel's argument pointers (16 words), copied into each worker's own scratch block. */
  ARGS: 12,
  /** Then two words per worker: modules posted to it (MAIL), and modules it has instantiated (RECEIVED). */
  LENGTH: 28,
} as const;

/** Words of the control block for `workers` workers. */
export const controlLength = (workers: number) => CONTROL.LENGTH + 2 * workers;
/** Modules posted to worker `w`: bumped before each post, so a worker knows one is on its way. */
export const mailWord = (w: number) => CONTROL.LENGTH + 2 * w;
/** Modules worker `w` has instantiated (it takes a job only once it has that job's module). */
export const receivedWord = (w: number) => CONTROL.LENGTH + 2 * w + 1;

/** The 15-bit tag of job `seq` in the claim word (positive, so the word stays a positive int32). */
export const jobTag = (seq: number) => seq & 0x7fff;
