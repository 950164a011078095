/** The playground page: panel 1 (race), panel 2 (train) and panel 3 (curvature), state mirrored in the URL. */
import {
  allMethods,
  engine,
  initNames,
  OPTIMIZERS,
  parseHyperparameters,
  raceOnSurface,
  surfaceByName,
  surfaceContours,
  SURFACES,
  type ContourLine,
  type SurfaceRun,
} from "descent/browser";
import { distillProbe, drawDistill } from "./distill.js";
import { surfacePointCurvature } from "./pointCurvature.js";
import { knobControl, SOLVER_KNOBS } from "./solverKnobs.js";
import { decodeState, encodeState, type DTypeChoice, type MethodChoice, type PlaygroundState } from "./state.js";
import { type DefinitionRow, fillDefinitionList } from "./dom.js";
import { COLORS, drawLoss, drawMap, mapFrame } from "./svg.js";
import { startTraining, TRAIN_DEFAULTS, trainProbe, wireTrainControls } from "./trainPanel.js";
import { decodeTrainState, encodeTrainState } from "./trainState.js";

const DEFAULTS: PlaygroundState = {
  surface: "rosenbrock",
  methods: [
    { name: "book.sgd", lr: 0.001 },
    { name: "book.momentum", lr: 0.001 },
    { name: "book.adam", lr: 0.05 },
    { name: "lbfgs" },
  ],
  start: [-1.2, 1],
  steps: 200,
  dtype: "float64",
  seed: 0,
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const MAP_SIZE = 480;

const state = decodeState(location.search, DEFAULTS);
const trainState = decodeTrainState(location.search, TRAIN_DEFAULTS, {
  optimizers: Object.keys(OPTIMIZERS),
  inits: initNames,
});
let runs: SurfaceRun[] = [];
let contours: ContourLine[] = [];
let contoursFor = "";
let step = 0;
let timer: number | undefined;
/** `?threads=n`: engine.setThreads(n) before the engine starts (else the start-up calibration decides). */
const askedThreads = Number(new URLSearchParams(location.search).get("threads")) || 0;
/** What the test reads: the last race's compute time and paths. */
const probe = {
  device: "",
  raceMs: NaN,
  contourMs: NaN,
  races: 0,
  runs: [] as SurfaceRun[],
  state,
  trainState,
  train: trainProbe,
  distill: distillProbe,
  threads: undefined as engine.ThreadStatus | undefined,
};
(window as unknown as { playground: typeof probe }).playground = probe;

/** The default learning rate of a first-order method (its preset's), undefined for a solver. */
function defaultLr(name: string): number | undefined {
  if (!OPTIMIZERS[name]) return undefined;
  const lr = parseHyperparameters(name, {}).lr;
  return typeof lr === "number" ? lr : 0.01;
}

/** The method's momentum-like hyperparameter (a number in its preset's defaults), if it has one. */
function momentumKey(name: string): string | undefined {
  if (!OPTIMIZERS[name]) return undefined;
  const defaults = parseHyperparameters(name, {});
  return ["alpha", "momentum", "rho", "rho1", "beta1"].find((key) => typeof defaults[key] === "number");
}

const momentumDefault = (name: string, key: string) => parseHyperparameters(name, {})[key] as number;

function config(m: MethodChoice): Record<string, unknown> {
  const key = momentumKey(m.name);
  return {
    ...m.settings,
    ...(m.lr === undefined ? {} : { lr: m.lr }),
    ...(key && m.momentum !== undefined ? { [key]: m.momentum } : {}),
  };
}

function syncUrl(): void {
  const threads = askedThreads ? `&threads=${askedThreads}` : "";
  history.replaceState(
    null,
    "",
    `${location.pathname}?${encodeState(state)}&${encodeTrainState(trainState)}${threads}`,
  );
  probe.state = state;
}

function race(): void {
  const surface = surfaceByName(state.surface);
  const precision = engine.precisionOf(state.dtype);
  const key = `${state.surface}/${state.dtype}`;
  if (contoursFor !== key) {
    const t0 = performance.now();
    contours = surfaceContours(surface, precision, { n: 61, levels: 14 }).contours;
    probe.contourMs = performance.now() - t0;
    contoursFor = key;
  }
  const t0 = performance.now();
  runs = raceOnSurface(
    surface,
    state.methods.map((m) => ({ method: m.name, config: config(m) })),
    { steps: state.steps, from: state.start, precision },
  );
  probe.raceMs = performance.now() - t0;
  probe.races += 1;
  probe.runs = runs;
  const longest = Math.max(...runs.map((r) => r.path.length - 1));
  const slider = $<HTMLInputElement>("step");
  slider.max = String(longest);
  step = longest;
  slider.value = String(step);
  $("status").textContent =
    `raced ${runs.length} methods for ${state.steps} steps in ${probe.raceMs.toFixed(0)} ms (${state.dtype}; default ` +
    `device ${probe.device})`;
  $("race-summary").textContent = runs
    .map(
      (r) =>
        `${r.label}: f = ${r.losses[r.losses.length - 1].toPrecision(6)} after ${r.path.length - 1} steps (` +
        `${r.message})`,
    )
    .join(" · ");
  drawDistill(surface, state.start, runs, state.methods, state.dtype, state.seed);
  syncUrl();
  draw();
}

function draw(): void {
  const surface = surfaceByName(state.surface);
  $("step-out").textContent = String(step);
  drawMap(
    $<SVGSVGElement & HTMLElement>("map"),
    mapFrame(surface.view, MAP_SIZE),
    contours,
    runs,
    step,
    state.start,
    surface.minimum,
  );
  drawLoss($<SVGSVGElement & HTMLElement>("loss"), runs, step);
  drawCurvature();
}

function drawCurvature(): void {
  const dl = $("curvature");
  if (runs.length === 0) {
    dl.replaceChildren();
    return;
  }
  const path = runs[0].path;
  const point = path[Math.min(step, path.length - 1)];
  let c: ReturnType<typeof surfacePointCurvature>;
  try {
    c = surfacePointCurvature(surfaceByName(state.surface), point, state.methods[0].lr, state.dtype, state.seed);
  } catch (error) {
    // A diverged path's last point can be so far out that the Hessian-vector products overflow.
    fillDefinitionList(dl, [["not measurable", `at (${point.join(", ")}): ${(error as Error).message}`]]);
    return;
  }
  const fmt = (v: number) => v.toPrecision(6);
  const rows: DefinitionRow[] = [
    ["point", `(${fmt(point[0])}, ${fmt(point[1])}) of ${runs[0].label}, step ${Math.min(step, path.length - 1)}`],
    ["Hessian", `[[${c.hessian[0].map(fmt).join(", ")}], [${c.hessian[1].map(fmt).join(", ")}]]`],
    ["eigenvalues", `λ_min = ${fmt(c.eigenvalues[0])}, λ_max = ${fmt(c.eigenvalues[1])}`, c.eigenvalues.join(",")],
    [
      "eigenvectors",
      `v_min = (${c.eigenvectors[0].map(fmt).join(", ")}), v_max = (${c.eigenvectors[1].map(fmt).join(", ")})`,
    ],
    ["gᵀg", fmt(c.gTg), String(c.gTg)],
    ["gᵀHg", fmt(c.gHg), String(c.gHg)],
    ["point kind", c.kind],
    [
      "8.2.1 flag",
      c.illConditioned === null
        ? "— (solver: no learning rate)"
        : c.illConditioned
          ? `yes: ½ε²gᵀHg > εgᵀg at ε = ${state.methods[0].lr}, a gradient step goes uphill`
          : `no (ε = ${state.methods[0].lr})`,
    ],
    ["saddle direction", c.saddleDirection ? `(${c.saddleDirection.map(fmt).join(", ")})` : "none (λ_min ≥ 0)"],
  ];
  fillDefinitionList(dl, rows);
}

function renderMethods(): void {
  const list = $("methods");
  list.replaceChildren(
    ...state.methods.map((m, k) => {
      const li = document.createElement("li");
      li.dataset.method = m.name;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLORS[k % COLORS.length];
      li.append(swatch, `${m.name} `);
      if (m.lr !== undefined) {
        // A log-scale slider over 1e-5 … 1, with the exact value beside it.
        const slider = document.createElement("input");
        Object.assign(slider, { type: "range", min: "-5", max: "0", step: "0.01", value: String(Math.log10(m.lr)) });
        slider.setAttribute("aria-label", `${m.name} learning rate (log10)`);
        slider.className = "lr";
        const out = document.createElement("output");
        out.textContent = `lr ${m.lr}`;
        slider.addEventListener("input", () => {
          m.lr = Number((10 ** Number(slider.value)).toPrecision(3));
          out.textContent = `lr ${m.lr}`;
        });
        slider.addEventListener("change", race);
        li.append(slider, out);
      }
      const key = momentumKey(m.name);
      if (key) {
        const slider = document.createElement("input");
        Object.assign(slider, {
          type: "range",
          min: "0",
          max: "0.999",
          step: "0.001",
          value: String(m.momentum ?? momentumDefault(m.name, key)),
        });
        slider.setAttribute("aria-label", `${m.name} ${key}`);
        slider.className = "momentum";
        const out = document.createElement("output");
        out.textContent = `${key} ${slider.value}`;
        slider.addEventListener("input", () => {
          m.momentum = Number(slider.value);
          out.textContent = `${key} ${m.momentum}`;
        });
        slider.addEventListener("change", race);
        li.append(slider, out);
      }
      const knobs = SOLVER_KNOBS[m.name] ?? [];
      if (knobs.length) {
        const settings = (m.settings ??= {});
        for (const knob of knobs) li.append(...knobControl(m.name, knob, settings, race));
      }
      const remove = document.createElement("button");
      remove.textContent = "remove";
      remove.setAttribute("aria-label", `remove ${m.name}`);
      remove.disabled = state.methods.length === 1;
      remove.addEventListener("click", () => {
        state.methods.splice(k, 1);
        renderMethods();
        race();
      });
      li.append(remove);
      return li;
    }),
  );
}

function fillForm(): void {
  $<HTMLSelectElement>("surface").value = state.surface;
  $<HTMLSelectElement>("dtype").value = state.dtype;
  $<HTMLInputElement>("steps").value = String(state.steps);
  $<HTMLInputElement>("seed").value = String(state.seed);
  $<HTMLInputElement>("start-x").value = String(state.start[0]);
  $<HTMLInputElement>("start-y").value = String(state.start[1]);
  $("surface-description").textContent = surfaceByName(state.surface).description;
}

function wireControls(): void {
  const surfaceSelect = $<HTMLSelectElement>("surface");
  surfaceSelect.replaceChildren(...Object.keys(SURFACES).map((name) => new Option(name, name)));
  $<HTMLSelectElement>("add-method").replaceChildren(
    ...Object.keys(allMethods())
      .sort()
      .map((name) => new Option(name, name)),
  );
  surfaceSelect.addEventListener("change", () => {
    state.surface = surfaceSelect.value;
    state.start = [...surfaceByName(state.surface).start];
    fillForm();
    race();
  });
  $<HTMLSelectElement>("dtype").addEventListener(
    "change",
    (e) => ((state.dtype = (e.target as HTMLSelectElement).value as DTypeChoice), race()),
  );
  const numberField = (id: string, set: (v: number) => void) =>
    $<HTMLInputElement>(id).addEventListener("change", (e) => {
      const v = Number((e.target as HTMLInputElement).value);
      if (Number.isFinite(v)) set(v), race();
    });
  numberField("steps", (v) => (state.steps = Math.max(1, Math.round(v))));
  numberField("seed", (v) => (state.seed = Math.round(v)));
  numberField("start-x", (v) => (state.start = [v, state.start[1]]));
  numberField("start-y", (v) => (state.start = [state.start[0], v]));
  $("add").addEventListener("click", () => {
    const name = $<HTMLSelectElement>("add-method").value;
    state.methods.push({ name, lr: defaultLr(name) });
    renderMethods();
    race();
  });
  $("run").addEventListener("click", race);
  $("share").addEventListener("click", () => navigator.clipboard?.writeText(location.href).catch(() => undefined));
  $<HTMLInputElement>("step").addEventListener(
    "input",
    (e) => ((step = Number((e.target as HTMLInputElement).value)), draw()),
  );
  $("play").addEventListener("click", animate);
  wireDrag();
}

function animate(): void {
  if (timer !== undefined) return void (clearInterval(timer), (timer = undefined));
  const last = Number($<HTMLInputElement>("step").max);
  step = 0;
  timer = window.setInterval(() => {
    step = Math.min(last, step + Math.max(1, Math.round(last / 100)));
    $<HTMLInputElement>("step").value = String(step);
    draw();
    if (step >= last) clearInterval(timer), (timer = undefined);
  }, 40);
}

/** Dragging the white start handle moves the start; the race reruns on release. */
function wireDrag(): void {
  const svg = $<SVGSVGElement & HTMLElement>("map");
  let dragging = false;
  const pointAt = (e: PointerEvent): [number, number] => {
    const box = svg.getBoundingClientRect();
    const frame = mapFrame(surfaceByName(state.surface).view, MAP_SIZE);
    const [x, y] = frame.fromPx(
      ((e.clientX - box.left) / box.width) * MAP_SIZE,
      ((e.clientY - box.top) / box.height) * MAP_SIZE,
    );
    return [Number(x.toPrecision(4)), Number(y.toPrecision(4))];
  };
  svg.addEventListener("pointerdown", (e) => {
    if (!(e.target as Element).classList.contains("start-handle")) return;
    dragging = true;
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (!dragging) return;
    state.start = pointAt(e);
    fillForm();
    draw();
  });
  svg.addEventListener("pointerup", () => {
    if (!dragging) return;
    dragging = false;
    race();
  });
}

/** The thread count in the header, once the pool has started or decided against (engine.threadStatus()). */
function showThreads(status: engine.ThreadStatus): void {
  probe.threads = status;
  const count = status.threads === 1 ? "1 Wasm thread" : `${status.threads} Wasm threads`;
  $("threads").textContent = `${count} (${status.reason})`;
}

async function main(): Promise<void> {
  if (askedThreads) engine.setThreads(askedThreads);
  const device = await engine.startEngine();
  void engine.threadsReady().then(showThreads);
  probe.device = device;
  $("status").textContent = `engine started (${device})`;
  wireControls();
  fillForm();
  renderMethods();
  race();
  wireTrainControls(trainState, () => (syncUrl(), startTraining(trainState)));
  startTraining(trainState);
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  $("status").textContent = `error: ${(error as Error).message}`;
  console.error(error);
});
