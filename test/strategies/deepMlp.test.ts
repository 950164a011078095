import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  precisionOf,
  startEngine,
  toDevice,
  treeToHost,
  disposeTree,
  mapWithPaths,
  random,
} from "../../src/engine/index.js";
import { deepMlp, type DeepMlpOptions } from "../../src/strategies/deepMlp.js";
import { deepRnn } from "../../src/strategies/skipConnections.js";

const precision = precisionOf("float64-fast");
const x = [0.5, -1.2, 2.0, 0.3]; // two examples of two features

/** The deep MLP's forward pass written out on the host (tanh), from its host parameters. */
function hostForward(
  o: DeepMlpOptions,
  p: Map<string, { data: ArrayLike<number>; shape: number[] }>,
  row: number[],
): number[] {
  const dense = (name: string, v: number[]) => {
    const w = p.get(`${name}.weight`)!;
    const b = p.get(`${name}.bias`)!.data;
    const n = w.shape[1];
    return Array.from({ length: n }, (_, j) => v.reduce((s, vi, i) => s + vi * w.data[i * n + j], b[j]));
  };
  const states: number[][] = [];
  let h = row;
  for (let i = 0; i < o.depth; i++) {
    const input = o.rawInput && i > 0 ? [...h, ...row] : h;
    const a = dense(`hidden.${i}`, input).map(Math.tanh);
    h = o.skip === "residual" && i > 0 ? a.map((v, j) => v + h[j]) : a;
    states.push(h);
  }
  return dense("output", o.skip === "to-output" ? states.flat() : h);
}

describe("deepMlp and its skip connections", () => {
  before(async () => startEngine());

  const variants: DeepMlpOptions[] = [
    { depth: 3, width: 3, activation: "tanh" },
    { depth: 3, width: 3, activation: "tanh", skip: "residual" },
    { depth: 3, width: 3, activation: "tanh", skip: "to-output" },
    { depth: 3, width: 3, activation: "tanh", rawInput: true },
  ];
  for (const o of variants) {
    it(`matches the forward pass written out by hand (${o.skip ?? (o.rawInput ? "raw input" : "plain")})`, () => {
      const model = deepMlp(2, o);
      const init = model.init(random.randomKey(3), [2], precision);
      const host = treeToHost(init.params);
      if (o.skip === "to-output") assert.deepEqual(host.get("output.weight")!.shape, [9, 2]);
      const [y] = model.apply(init.params, init.state, toDevice(x, [2, 2], precision), { train: false });
      const got = Array.from(y.dataSync() as ArrayLike<number>);
      const want = [...hostForward(o, host, x.slice(0, 2)), ...hostForward(o, host, x.slice(2))];
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${v} vs ${want[i]}`));
    });
  }

  it("auxiliary heads appear in training mode only, and only on lower hidden layers", () => {
    const model = deepMlp(4, { depth: 3, width: 5, auxiliaryHeads: [0, 1] });
    const init = model.init(random.randomKey(1), [2], precision);
    const [train] = model.apply(
      mapWithPaths(init.params, (_p, l) => l.ref),
      init.state,
      toDevice(x, [2, 2], precision),
      { train: true },
    );
    const [evalOut] = model.apply(init.params, init.state, toDevice(x, [2, 2], precision), { train: false });
    assert.deepEqual(train.shape, [2, 12]);
    assert.deepEqual(evalOut.shape, [2, 4]);
    // The main output comes first and is the same in both modes.
    const t = train.dataSync() as Float64Array;
    const e = evalOut.dataSync() as Float64Array;
    for (let r = 0; r < 2; r++) for (let j = 0; j < 4; j++) assert.equal(t[r * 12 + j], e[r * 4 + j]);
    assert.throws(() => deepMlp(4, { depth: 3, width: 5, auxiliaryHeads: [2] }), /heads go on hidden layers 0..1/);
  });

  it("deepRnn: a residual layer with zero weights passes its input through; to-output reads every layer", () => {
    const seq = toDevice(
      Float64Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)),
      [2, 4, 3],
      precision,
    );
    const two = deepRnn(2, { layers: 2, units: 3, skip: "residual" });
    const one = deepRnn(2, { layers: 1, units: 3 });
    const p2 = two.init(random.randomKey(5), [4, 3], precision).params as {
      layers: Record<string, unknown>[];
      output: unknown;
    };
    const zeroed = {
      layers: [p2.layers[0], mapWithPaths(p2.layers[1] as never, (_p, l) => l.mul(0))],
      output: p2.output,
    };
    const p1 = {
      layers: [mapWithPaths(p2.layers[0] as never, (_p, l) => l.ref)],
      output: mapWithPaths(p2.output as never, (_p, l) => l.ref),
    };
    const [a] = two.apply(zeroed as never, {}, seq.ref, { train: false });
    const [b] = one.apply(p1 as never, {}, seq.ref, { train: false });
    assert.deepEqual(Array.from(a.dataSync() as ArrayLike<number>), Array.from(b.dataSync() as ArrayLike<number>));
    const wide = deepRnn(2, { layers: 3, units: 3, skip: "to-output" }).init(random.randomKey(5), [4, 3], precision);
    assert.deepEqual(treeToHost(wide.params).get("output.weight")!.shape, [9, 2]);
    disposeTree(wide.params);
    seq.dispose();
  });
});
