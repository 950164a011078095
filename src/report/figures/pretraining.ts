/** 8.7: greedy layer-wise pretraining drawn as a diagram (boxes for layers, trained or frozen at each stage). */
import { SCHEMA, wrap } from "../charts.js";
import type { Figure } from "./figure.js";

/**
 * Stage k trains hidden layer k (with a temporary output head) on top of layers 1…k−1, which stay
 * fixed; the last column fine-tunes every layer together (Figure 8.7 of the book).
 */
export function figure87(layers = 3): Figure {
  const stages = [
    ...Array.from({ length: layers }, (_, k) => ({ name: `stage ${k + 1}: train h${k + 1}`, top: k + 1, fine: false })),
    { name: "fine-tune: train all", top: layers, fine: true },
  ];
  const boxes = stages.flatMap((stage, column) => [
    { column, row: 0, label: "x (input)", state: "data" },
    ...Array.from({ length: stage.top }, (_, k) => ({
      column,
      row: k + 1,
      label: `h${k + 1}`,
      state: stage.fine || k + 1 === stage.top ? "trained in this stage" : "frozen (from earlier stages)",
    })),
    {
      column,
      row: stage.top + 1,
      label: stage.fine ? "y (output)" : `head ${column + 1} (discarded)`,
      state: stage.fine ? "trained in this stage" : "temporary output head",
    },
  ]);
  const cells = boxes.map((b) => ({
    ...b,
    x: b.column * 3,
    x2: b.column * 3 + 2,
    y: b.row * 1.4,
    y2: b.row * 1.4 + 0.9,
    cx: b.column * 3 + 1,
    cy: b.row * 1.4 + 0.45,
  }));
  const arrows = cells.filter((c) => c.row > 0).map((c) => ({ x: c.cx, y: c.y - 0.5, y2: c.y }));
  const titles = stages.map((s, column) => ({ x: column * 3 + 1, y: (layers + 2) * 1.4 + 0.1, label: s.name }));
  const domainX = [-0.3, stages.length * 3 - 0.7];
  const domainY = [-0.2, (layers + 2) * 1.4 + 0.5];
  const x = { type: "quantitative", scale: { domain: domainX }, axis: null };
  const y = { type: "quantitative", scale: { domain: domainY }, axis: null };
  const caption =
    `Greedy supervised pretraining (8.7.4): each stage adds hidden layer h_k and trains it, with a ` +
    `fresh output head, on top of the layers trained before, which are kept fixed; the heads are discarded, and a ` +
    `last pass fine-tunes the whole network jointly. Drawn for ${layers} hidden layers.`;
  const spec = {
    $schema: SCHEMA,
    title: {
      text: "Figure 8.7: greedy layer-wise pretraining",
      subtitle: wrap(caption, 110),
      anchor: "start",
      subtitleFontSize: 11,
    },
    width: 170 * stages.length,
    height: 60 * (layers + 3),
    layer: [
      {
        data: { values: cells },
        mark: { type: "rect", stroke: "#333", strokeWidth: 1, cornerRadius: 4 },
        encoding: {
          x: { field: "x", ...x },
          x2: { field: "x2" },
          y: { field: "y", ...y },
          y2: { field: "y2" },
          color: {
            field: "state",
            type: "nominal",
            title: null,
            scale: {
              domain: ["data", "frozen (from earlier stages)", "trained in this stage", "temporary output head"],
              range: ["#eeeeee", "#bab0ac", "#f28e2b", "#76b7b2"],
            },
            legend: { orient: "bottom", labelLimit: 300 },
          },
        },
      },
      {
        data: { values: cells },
        mark: { type: "text", fontSize: 12 },
        encoding: { x: { field: "cx", ...x }, y: { field: "cy", ...y }, text: { field: "label" } },
      },
      {
        data: { values: arrows },
        mark: { type: "rule", strokeWidth: 1.5, color: "#333" },
        encoding: { x: { field: "x", ...x }, y: { field: "y", ...y }, y2: { field: "y2" } },
      },
      {
        data: { values: arrows },
        mark: { type: "point", shape: "triangle-up", size: 40, filled: true, color: "#333" },
        encoding: { x: { field: "x", ...x }, y: { field: "y2", ...y } },
      },
      {
        data: { values: titles },
        mark: { type: "text", fontSize: 12, fontWeight: "bold" },
        encoding: { x: { field: "x", ...x }, y: { field: "y", ...y }, text: { field: "label" } },
      },
    ],
    config: { view: { stroke: null } },
  };
  return {
    file: "fig-8-7-pretraining.svg",
    title: "Figure 8.7: greedy layer-wise pretraining",
    caption,
    spec: spec as never,
  };
}
