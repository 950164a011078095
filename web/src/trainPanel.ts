/** Panel 2: an MLP training live on a 2-D dataset, its decision boundary and loss, and its curvature (panel 3). */
import {
  concentricCircles,
  engine,
  gaussianBlobs,
  initNames,
  LiveTraining,
  mlp,
  networkCurvature,
  OPTIMIZERS,
  parseHyperparameters,
  TrainingDivergedError,
  twoSpirals,
  xorQuadrants,
  type Dataset,
  type InitName,
  type NetworkCurvature,
} from "descent/browser";
import { type DefinitionRow, fillDefinitionList } from "./dom.js";
import { COLORS, drawLoss } from "./svg.js";
import { ACTIVATIONS, DATASETS, SCHEDULES, type TrainState } from "./trainState.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const EXAMPLES = 300;
/** Boundary cells per side: 320 / 40 = 8 whole pixels each, so cells neither overlap nor leave seams. */
const GRID = 40;
const CANVAS = 320;
/** Steps between two redraws of the boundary and the loss. */
const CHUNK = 10;

export const TRAIN_DEFAULTS: TrainState = {
  dataset: "spirals",
  seed: 0,
  optimizer: "book.adam",
  lr: 0.02,
  schedule: "constant",
  batchSize: 32,
  width: 16,
  depth: 2,
  batchNorm: false,
  init: "he",
  activation: "relu",
  steps: 300,
  dtype: "float32",
};

export function datasetOf(name: TrainState["dataset"], seed: number): Dataset {
  if (name === "spirals") return twoSpirals({ count: EXAMPLES, key: seed });
  if (name === "blobs") return gaussianBlobs({ count: EXAMPLES, classes: 3, key: seed });
  if (name === "circles") return concentricCircles({ count: EXAMPLES, key: seed });
  return xorQuadrants({ count: EXAMPLES, key: seed });
}

export const modelOf = (s: TrainState, classes: number) =>
  mlp(classes, {
    width: s.width,
    depth: s.depth,
    batchNorm: s.batchNorm,
    init: s.init as InitName,
    activation: s.activation,
  });

export function optimizerOf(s: TrainState) {
  const lr = s.schedule === "constant" ? s.lr : { kind: s.schedule, init: s.lr };
  return OPTIMIZERS[s.optimizer].build(parseHyperparameters(s.optimizer, { lr }), { totalSteps: s.steps });
}

/** What the test reads: the steps, the losses, the named error, the curvature and the parameters it was taken at. */
export const trainProbe = {
  runs: 0,
  done: false,
  step: 0,
  losses: [] as number[],
  error: "",
  curvature: null as NetworkCurvature | null,
  params: [] as number[],
  modelState: [] as number[],
};

/** A square box around the data, for the boundary grid. */
function viewOf(data: Dataset): number {
  let r = 0;
  for (const v of data.x) r = Math.max(r, Math.abs(v));
  return r * 1.1;
}

/** The predicted class regions (none without `training`: a diverged run has no boundary), then the data. */
function drawBoundary(training: LiveTraining | undefined, data: Dataset): void {
  const ctx = $<HTMLCanvasElement>("boundary").getContext("2d")!;
  const r = viewOf(data);
  const cell = CANVAS / GRID;
  ctx.clearRect(0, 0, CANVAS, CANVAS);
  if (training) {
    const at = (i: number) => -r + ((i + 0.5) / GRID) * 2 * r;
    const points = new Float64Array(GRID * GRID * 2);
    for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) points.set([at(i), -at(j)], 2 * (j * GRID + i));
    const p = training.probabilities(points);
    const c = data.numClasses;
    for (let k = 0; k < GRID * GRID; k++) {
      const row = p.subarray(k * c, (k + 1) * c);
      const best = row.indexOf(Math.max(...row));
      // Confidence above chance sets the tint: white where the network cannot tell.
      ctx.fillStyle = COLORS[best];
      ctx.globalAlpha = (0.6 * (row[best] - 1 / c)) / (1 - 1 / c);
      ctx.fillRect((k % GRID) * cell, Math.floor(k / GRID) * cell, cell, cell);
    }
    ctx.globalAlpha = 1;
  }
  const toPx = (v: number) => ((v + r) / (2 * r)) * CANVAS;
  for (let i = 0; i < data.size; i++) {
    ctx.beginPath();
    ctx.arc(toPx(data.x[2 * i]), CANVAS - toPx(data.x[2 * i + 1]), 2.5, 0, 2 * Math.PI);
    ctx.fillStyle = COLORS[data.y[i]];
    ctx.strokeStyle = "#fff";
    ctx.fill();
    ctx.stroke();
  }
}

function drawTrainLoss(s: TrainState, losses: number[]): void {
  drawLoss(
    $<SVGSVGElement & HTMLElement>("train-loss"),
    [{ label: s.optimizer, path: [], losses, message: "" }],
    losses.length - 1,
    "loss",
  );
}

function showCurvature(c: NetworkCurvature | null, lr: number, note = ""): void {
  const fmt = (v: number) => v.toPrecision(6);
  const rows: DefinitionRow[] = c
    ? [
        ["full-batch loss", fmt(c.loss)],
        ["top eigenvalues (Lanczos)", c.top.map((t) => fmt(t.value)).join(", "), c.top.map((t) => t.value).join(",")],
        ["gᵀg", fmt(c.gTg), String(c.gTg)],
        ["gᵀHg", fmt(c.gHg), String(c.gHg)],
        [
          "8.2.1 flag",
          c.illConditioned
            ? `yes: ½ε²gᵀHg > εgᵀg at ε = ${lr}, a gradient step goes uphill`
            : `no (ε = ${lr}; εgᵀHg / 2gᵀg = ${fmt((lr * c.gHg) / (2 * c.gTg))})`,
        ],
        ["Hessian-vector products", String(c.hvps)],
      ]
    : [["status", note]];
  fillDefinitionList($("net-curvature"), rows);
}

let current: { training: LiveTraining; data: Dataset; state: TrainState; timer?: number } | undefined;

function stop(): void {
  if (current?.timer !== undefined) clearTimeout(current.timer);
  if (current) current.timer = undefined;
}

/** The curvature at the current parameters (the training's precision), shown in panel 3 and kept for the test. */
function measureCurvature(): void {
  if (!current) return;
  const { training, data, state } = current;
  const precision = engine.precisionOf(state.dtype);
  const c = networkCurvature(modelOf(state, data.numClasses), training.params, training.modelState, data, precision, {
    lr: state.lr,
    top: 3,
    seed: state.seed,
  });
  trainProbe.curvature = c;
  trainProbe.params = Array.from(engine.flattenTree(training.params));
  trainProbe.modelState = Array.from(engine.flattenTree(training.modelState));
  showCurvature(c, state.lr);
}

/** Restarts training from the state's seed and steps it in chunks, redrawing between them. */
export function startTraining(s: TrainState): void {
  stop();
  current?.training.dispose();
  const state = { ...s };
  const data = datasetOf(state.dataset, state.seed);
  const training = new LiveTraining({
    model: modelOf(state, data.numClasses),
    data,
    optimizer: optimizerOf(state),
    batchSize: state.batchSize,
    seed: state.seed,
    precision: engine.precisionOf(state.dtype),
  });
  current = { training, data, state };
  Object.assign(trainProbe, {
    runs: trainProbe.runs + 1,
    done: false,
    step: 0,
    losses: [],
    error: "",
    curvature: null,
  });
  $("train-error").textContent = "";
  showCurvature(null, state.lr, "training…");
  const run = current;
  const tick = () => {
    try {
      training.run(Math.min(CHUNK, state.steps - training.step));
    } catch (error) {
      if (!(error instanceof TrainingDivergedError)) throw error;
      // The Trainer's named cause, as `descent train` prints it; the NaN step is never drawn.
      $("train-error").textContent = `stopped: ${error.message}`;
      trainProbe.error = error.message;
    }
    trainProbe.step = training.step;
    trainProbe.losses = [...training.losses];
    drawTrainLoss(state, training.losses);
    drawBoundary(trainProbe.error ? undefined : training, data);
    const last = training.losses.at(-1);
    const lastLoss = last === undefined ? "" : `, last finite minibatch loss ${last.toPrecision(4)}`;
    $("train-status").textContent = trainProbe.error
      ? `stopped at step ${training.step} of ${state.steps}${lastLoss}`
      : `step ${training.step} of ${state.steps}` +
        (last === undefined ? "" : `, minibatch loss ${last.toPrecision(4)}`);
    if (trainProbe.error || training.step >= state.steps) {
      run.timer = undefined;
      if (!trainProbe.error) measureCurvature();
      else showCurvature(null, state.lr, "not measured: the training diverged");
      trainProbe.done = true;
      return;
    }
    run.timer = window.setTimeout(tick, 0);
  };
  run.timer = window.setTimeout(tick, 0);
}

/** Fills the form from the state and calls `changed` after every edit. */
export function wireTrainControls(state: TrainState, changed: () => void): void {
  const select = (id: string, options: readonly string[]) =>
    $<HTMLSelectElement>(id).replaceChildren(...options.map((o) => new Option(o, o)));
  select("t-dataset", DATASETS);
  select("t-optimizer", Object.keys(OPTIMIZERS).sort());
  select("t-schedule", SCHEDULES);
  select("t-init", initNames);
  select("t-activation", ACTIVATIONS);
  const fields: [string, keyof TrainState, "number" | "text" | "check"][] = [
    ["t-dataset", "dataset", "text"],
    ["t-seed", "seed", "number"],
    ["t-optimizer", "optimizer", "text"],
    ["t-lr", "lr", "number"],
    ["t-schedule", "schedule", "text"],
    ["t-batch", "batchSize", "number"],
    ["t-width", "width", "number"],
    ["t-depth", "depth", "number"],
    ["t-bn", "batchNorm", "check"],
    ["t-init", "init", "text"],
    ["t-activation", "activation", "text"],
    ["t-steps", "steps", "number"],
    ["t-dtype", "dtype", "text"],
  ];
  for (const [id, key, kind] of fields) {
    const input = $<HTMLInputElement>(id);
    if (kind === "check") input.checked = state[key] as boolean;
    else input.value = String(state[key]);
    input.addEventListener("change", () => {
      const value = kind === "check" ? input.checked : kind === "number" ? Number(input.value) : input.value;
      const min = key === "seed" ? Number.MIN_SAFE_INTEGER : key === "lr" || key === "depth" ? 0 : 1;
      if (kind === "number" && !(Number.isInteger(value) || key === "lr"))
        return void (input.value = String(state[key]));
      if (kind === "number" && !((value as number) >= min)) return void (input.value = String(state[key]));
      (state as unknown as Record<string, unknown>)[key] = value;
      changed();
    });
  }
  $("t-train").addEventListener("click", changed);
  $("t-stop").addEventListener("click", stop);
  $("t-curvature").addEventListener("click", measureCurvature);
}
