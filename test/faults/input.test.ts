import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertFault, descent, tmp, TINY } from "./helpers.js";

const dir = tmp("input");
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
/** 20 rows of 2 features and a label from `label(i)`, joined by `sep`. */
const csv = (label: (i: number) => string, sep = ",", rows = 20) =>
  Array.from({ length: rows }, (_, i) => [(i % 7) / 7, (i % 3) / 3, label(i)].join(sep)).join("\n") + "\n";
const train = (dataset: string, ...extra: string[]) =>
  descent([
    "train",
    "--dataset",
    dataset,
    "--width",
    "4",
    "--depth",
    "1",
    "--epochs",
    "1",
    "--batch-size",
    "4",
    "--validation",
    "0",
    "--out",
    tmp("in"),
    ...extra,
  ]);

/** An IDX file: magic (type, rank), big-endian dimensions, big-endian values of `type` (0x08 ubyte, 0x0d float). */
function idx(type: 0x08 | 0x0d, shape: number[], values: number[]): Buffer {
  const size = type === 0x08 ? 1 : 4;
  const header = 4 + 4 * shape.length;
  const buf = Buffer.alloc(header + values.length * size);
  buf[2] = type;
  buf[3] = shape.length;
  shape.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  values.forEach((v, i) => (type === 0x08 ? buf.writeUInt8(v, header + i) : buf.writeFloatBE(v, header + 4 * i)));
  return buf;
}
function idxPair(name: string, n: number, labels: number[], pixels?: number[]): string {
  const images = file(
    `${name}-images-idx3-ubyte`,
    pixels
      ? idx(0x0d, [n, 2, 2], pixels)
      : idx(
          0x08,
          [n, 2, 2],
          Array.from({ length: 4 * n }, (_, i) => (i * 37) % 256),
        ),
  );
  file(`${name}-labels-idx1-ubyte`, idx(0x08, [n], labels));
  return images;
}

describe("CSV: explicit choices instead of silent guesses", () => {
  it("a ';' file names --delimiter; with it the run trains", () => {
    const path = file(
      "semi.csv",
      csv((i) => String(i % 2), ";"),
    );
    assertFault(train(`csv:${path}`), /has a single column.*\(its lines hold ";": pass --delimiter ";"\)/);
    assert.equal(train(`csv:${path}`, "--delimiter", ";", "--json").code, 0);
  });

  it("--label-column picks a label-first file's labels (classification)", () => {
    const path = file(
      "first.csv",
      Array.from({ length: 20 }, (_, i) => [i % 2, i / 20, (i % 5) / 5].join(",")).join("\n"),
    );
    assertFault(train(`csv:${path}`), /first column holds class indices .*pass --label-column 0/);
    const run = train(`csv:${path}`, "--label-column", "0", "--json");
    assert.equal(run.code, 0, run.stderr);
    assert.notEqual(JSON.parse(run.stdout).testAccuracy, null, "a classification run reports accuracy");
  });

  it("a -1 label is an error naming the line and --task", () =>
    assertFault(
      train(
        `csv:${file(
          "neg.csv",
          csv((i) => (i === 5 ? "-1" : String(i % 2))),
        )}`,
      ),
      /line 6 column 3 holds the label -1, which is not a class index .*--task regression/,
    ));
  it("a stray label 999 is an error, not a 1000-class model", () =>
    assertFault(
      train(
        `csv:${file(
          "stray.csv",
          csv((i) => (i === 3 ? "999" : String(i % 2))),
        )}`,
      ),
      /line 4 column 3 holds the label 999, but 997 of the classes 0\.\.999 never occur/,
    ));
  it("--task classification numbers the distinct labels as classes", () =>
    assert.equal(
      train(
        `csv:${file(
          "named.csv",
          csv((i) => (i % 2 ? "999" : "-1")),
        )}`,
        "--task",
        "classification",
      ).code,
      0,
    ));
  it("1e300 (beyond float32) is an error naming the line", () =>
    assertFault(
      train(
        `csv:${file(
          "huge.csv",
          csv((i) => (i === 2 ? "1e300" : String(i / 3))),
        )}`,
      ),
      /line 3 column 3 holds the target 1e300, beyond float32's range/,
    ));
  it("a 2-row file is too small for a test split", () =>
    assertFault(
      train(
        `csv:${file(
          "two.csv",
          csv((i) => String(i % 2), ",", 2),
        )}`,
      ),
      /has 2 examples, too few for a train set and a 20% test set/,
    ));
  it("the CSV options on another dataset are an error", () =>
    assertFault(train("blobs", "--task", "regression"), /the CSV options .* apply to csv:PATH datasets only/));
});

describe("IDX: bad files named", () => {
  it("0 examples", () => assertFault(train(`idx:${idxPair("empty", 0, [])}`), /holds no examples/));
  it("a NaN pixel", () =>
    assertFault(
      train(
        `idx:${idxPair(
          "nan",
          10,
          [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
          Array.from({ length: 40 }, (_, i) => (i === 9 ? NaN : i / 40)),
        )}`,
      ),
      /value 1 of example 2 is NaN; images must hold finite numbers/,
    ));
  it("a stray label 255", () =>
    assertFault(
      train(`idx:${idxPair("l255", 10, [0, 1, 0, 1, 255, 1, 0, 1, 0, 1])}`),
      /label 4 holds the label 255, but 253 of the classes 0\.\.255 never occur/,
    ));
});

describe("settings the run cannot honour", () => {
  it("a batch larger than the training set", () =>
    assertFault(
      descent(["train", ...TINY, "--batch-size", "5000", "--out", tmp("batch")]),
      /--batch-size 5000 is larger than the 900 training examples/,
    ));
  it("--patience without a validation set", () =>
    assertFault(
      descent(["train", ...TINY, "--patience", "2", "--validation", "0", "--out", tmp("pat")]),
      /--patience 2 needs a validation set to watch: set --validation above 0/,
    ));
  it("a run whose updates were mostly skipped (skipNonFinite) is not a success", () => {
    const config = file(
      "skip.json",
      JSON.stringify({ skipNonFinite: true, optimizer: "sgd", lr: 1e35, schedule: "constant" }),
    );
    assertFault(
      descent(["train", ...TINY, "--config", config, "--out", tmp("skip")]),
      /(\d+) of (\d+) updates were skipped for a non-finite gradient .*the model did not train/,
    );
  });
});

describe("descent optimize: problem files and settings", () => {
  const problem = (spec: object) => file(`p${Math.random().toString(36).slice(2)}.json`, JSON.stringify(spec));
  const optimize = (path: string, ...extra: string[]) =>
    descent(["optimize", "--problem", path, "--method", "bfgs", ...extra]);
  it("null in b", () =>
    assertFault(
      optimize(
        problem({
          kind: "quadratic",
          A: [
            [2, 0],
            [0, 1],
          ],
          b: [1, null],
        }),
      ),
      /"b"\[1\] must be a finite number, got null/,
    ));
  it("a string in A", () =>
    assertFault(
      optimize(
        problem({
          kind: "quadratic",
          A: [
            [2, "0"],
            [0, 1],
          ],
          b: [1, 1],
        }),
      ),
      /"A"\[0\]\[1\] must be a finite number, got "0"/,
    ));
  it("A of the wrong shape (no engine message leaks)", () =>
    assertFault(
      optimize(
        problem({
          kind: "quadratic",
          A: [
            [2, 0, 0],
            [0, 1, 0],
          ],
          b: [1, 1],
        }),
      ),
      /"A" row 0 must be an array of 2 numbers/,
    ));
  it('"n": "10"', () =>
    assertFault(optimize(problem({ kind: "rosenbrock", n: "10" })), /"n" must be an integer of at least 2, got "10"/));
  it("x0 of the wrong length", () =>
    assertFault(optimize(problem({ kind: "rosenbrock", n: 3, x0: [1, 2] })), /"x0" has 2 entries, 3 expected/));
  it("a negative learning rate in --config", () =>
    assertFault(
      descent([
        "optimize",
        "--problem",
        "quadratic",
        "--method",
        "book.sgd",
        "--config",
        '{"lr": -0.1}',
        "--steps",
        "3",
      ]),
      /"lr" must not be negative, got -0\.1/,
    ));
});
