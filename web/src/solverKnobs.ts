/**
 * Panel 1's controls for the solvers' settings: L-BFGS memory, the strong Wolfe constants c1 and c2,
 * Newton's damping, Newton-CG's inner iterations and trust region. Each knob is a key of the solver's
 * config in methods/solvers.ts (validated there), with the solver's own default.
 */
export interface Knob {
  key: string;
  /** A range slider over [min, max] (log10 scale when `log`), or a select over `choices`. */
  min?: number;
  max?: number;
  step?: number;
  log?: boolean;
  choices?: string[];
  /** Where the control starts: the solver's default (or, for a default a log slider cannot show, near it). */
  initial: number | string;
  /** The solver's default when `initial` is not it (Newton's damping is 0). */
  defaultLabel?: string;
}

const c1: Knob = { key: "c1", min: -6, max: -1, step: 0.1, log: true, initial: 1e-4 };
const c2 = (initial: number): Knob => ({ key: "c2", min: 0.05, max: 0.99, step: 0.01, initial });
const cg = [c1, c2(0.1)];
const damping: Knob = { key: "damping", min: -6, max: 2, step: 0.1, log: true, initial: 1e-6, defaultLabel: "0" };

export const SOLVER_KNOBS: Record<string, Knob[]> = {
  lbfgs: [{ key: "memory", min: 1, max: 30, step: 1, initial: 10 }, c1, c2(0.9)],
  bfgs: [c1, c2(0.9)],
  "cg-fr": cg,
  "cg-pr": cg,
  "cg-prplus": cg,
  newton: [damping],
  "book.newton": [damping],
  "newton-cg": [
    { key: "maxInner", min: 1, max: 10, step: 1, initial: 2, defaultLabel: "2 (the dimension)" },
    { key: "globalization", choices: ["line-search", "trust-region"], initial: "line-search" },
    { key: "radius", min: -2, max: 1, step: 0.05, log: true, initial: 1 },
  ],
};

/** Round a slider's log value to 3 significant digits, so that the URL stays short and exact. */
export const knobValue = (knob: Knob, slider: number) =>
  knob.log ? Number((10 ** slider).toPrecision(3)) : Number(slider.toPrecision(6));

/** One control (slider with its value, or a select) bound to `settings[knob.key]`. */
export function knobControl(
  method: string,
  knob: Knob,
  settings: Record<string, number | string>,
  changed: () => void,
): HTMLElement[] {
  const current = settings[knob.key] ?? knob.initial;
  const label = `${method} ${knob.key}`;
  if (knob.choices) {
    const select = document.createElement("select");
    select.replaceChildren(...knob.choices.map((c) => new Option(c, c)));
    select.value = String(current);
    select.className = "knob";
    select.dataset.key = knob.key;
    select.setAttribute("aria-label", label);
    select.addEventListener("change", () => ((settings[knob.key] = select.value), changed()));
    return [select];
  }
  const slider = document.createElement("input");
  const position = knob.log ? Math.log10(Number(current)) : Number(current);
  Object.assign(slider, {
    type: "range",
    min: String(knob.min),
    max: String(knob.max),
    step: String(knob.step),
    value: String(position),
  });
  slider.className = "knob";
  slider.dataset.key = knob.key;
  slider.setAttribute("aria-label", knob.log ? `${label} (log10)` : label);
  const out = document.createElement("output");
  out.textContent = `${knob.key} ${settings[knob.key] ?? knob.defaultLabel ?? knob.initial}`;
  slider.addEventListener("input", () => {
    settings[knob.key] = knobValue(knob, Number(slider.value));
    out.textContent = `${knob.key} ${settings[knob.key]}`;
  });
  slider.addEventListener("change", changed);
  return [slider, out];
}
