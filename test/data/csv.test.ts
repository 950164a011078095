import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCsvDataset, parseDatasetSpec } from "../../src/data/index.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "descent-csv-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("CSV with a header: detected, names kept, integer labels are class indices", () => {
  const d = loadCsvDataset(file("h.csv", "a,b,label\n1,2,0\n3.5,-4,2\n\n5,6e1,1\n"));
  assert.equal(d.size, 3);
  assert.deepEqual(d.xShape, [2]);
  assert.deepEqual(d.yShape, []);
  assert.deepEqual(Array.from(d.x), [1, 2, 3.5, -4, 5, 60]);
  assert.deepEqual(Array.from(d.y), [0, 2, 1]);
  assert.equal(d.numClasses, 3);
  assert.deepEqual(d.featureNames, ["a", "b"]);
});

test("CSV without a header, CRLF line ends, label column chosen by index (negative from the end)", () => {
  const p = file("nh.csv", "1,1,2\r\n0,3,4\r\n");
  const d = loadCsvDataset(p, { labelColumn: 0 });
  assert.equal(d.size, 2);
  assert.deepEqual(Array.from(d.x), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(d.y), [1, 0]);
  assert.equal(d.numClasses, 2);
  assert.equal(d.featureNames, undefined);
  const e = loadCsvDataset(p, { labelColumn: -2, task: "regression" });
  assert.deepEqual(Array.from(e.y), [1, 3]);
  assert.deepEqual(Array.from(e.x), [1, 2, 0, 4]);
});

test("string labels map to class indices in sorted order; quoted cells are understood", () => {
  const d = loadCsvDataset(file("s.csv", '5.1,3.5,setosa\n6.2,2.9,"versicolor"\n6.3,3.3,virginica\n5.0,3.6,setosa\n'));
  assert.equal(d.size, 4, "string label column alone is not a header");
  assert.deepEqual(d.classNames, ["setosa", "versicolor", "virginica"]);
  assert.deepEqual(Array.from(d.y), [0, 1, 2, 0]);
  assert.equal(d.numClasses, 3);
  const h = loadCsvDataset(file("sh.csv", 'x,"y, with comma",species\n1,2,b\n3,4,a\n'), { labelColumn: "species" });
  assert.deepEqual(h.featureNames, ["x", "y, with comma"]);
  assert.deepEqual(Array.from(h.y), [1, 0]);
});

test("regression: detected for real-valued labels, or forced", () => {
  const d = loadCsvDataset(file("r.csv", "x,y\n1,0.5\n2,1.5\n3,-2\n"));
  assert.equal(d.numClasses, 0);
  assert.deepEqual(d.yShape, [1]);
  assert.deepEqual(Array.from(d.y), [0.5, 1.5, -2]);
  const f = loadCsvDataset(file("rf.csv", "1,0\n2,3\n"), { task: "regression" });
  assert.equal(f.numClasses, 0);
  assert.deepEqual(Array.from(f.y), [0, 3]);
  // Integer labels that are not the class indices 0..K-1 are a choice for the user, not a silent regression.
  assert.throws(
    () => loadCsvDataset(file("big.csv", "1,1000\n2,3\n")),
    /holds the label 1000, but 999 of the classes 0\.\.1000 never occur .*--task regression/,
  );
  assert.equal(loadCsvDataset(file("big.csv", "1,1000\n2,3\n"), { task: "regression" }).numClasses, 0);
});

test("CSV errors name the file, line and column", () => {
  const ragged = file("ragged.csv", "a,b,c\n1,2,0\n3,4\n");
  assert.throws(
    () => loadCsvDataset(ragged),
    (e: Error) => e.message === `CSV file ${ragged} line 3 has 2 cells but line 1 has 3.`,
  );
  const bad = file("bad.csv", "a,b,c\n1,2,0\n3,oops,1\n");
  assert.throws(
    () => loadCsvDataset(bad),
    (e: Error) => e.message === `CSV file ${bad} line 3 column 2 ("b") holds "oops", which is not a number.`,
  );
  const empty = file("empty.csv", "\n  \n");
  assert.throws(
    () => loadCsvDataset(empty),
    (e: Error) => e.message === `CSV file ${empty} is empty.`,
  );
  const onlyHeader = file("oh.csv", "a,b,c\n");
  assert.throws(() => loadCsvDataset(onlyHeader, { header: true }), /has a header line but no data lines/);
  const blankCell = file("blank.csv", "1,,0\n");
  assert.throws(() => loadCsvDataset(blankCell, { header: false }), /line 1 column 2 holds "", which is not a number/);
  const strTarget = file("st.csv", "1,a\n2,b\n");
  assert.throws(
    () => loadCsvDataset(strTarget, { task: "regression" }),
    /line 1 column 2 holds the target "a", which is not a number/,
  );
  assert.throws(
    () => loadCsvDataset(file("lc.csv", "a,b\n1,2\n"), { labelColumn: "z" }),
    /has no column named "z" \(columns: a, b\)/,
  );
  assert.throws(() => loadCsvDataset(join(dir, "missing.csv")), /missing\.csv does not exist\./);
});

test("csv: spec splits 80/20 by seed", () => {
  const rows = Array.from({ length: 50 }, (_, i) => `${i},${i * 2},${i % 3}`).join("\n");
  const p = file("spec.csv", rows);
  const a = parseDatasetSpec(`csv:${p}`, 1);
  assert.equal(a.train.size, 40);
  assert.equal(a.test.size, 10);
  const firsts = [...a.train.x.filter((_, i) => i % 2 === 0), ...a.test.x.filter((_, i) => i % 2 === 0)].sort(
    (u, v) => u - v,
  );
  assert.deepEqual(
    firsts,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(parseDatasetSpec(`csv:${p}`, 1).test.x, a.test.x);
  assert.notDeepEqual(parseDatasetSpec(`csv:${p}`, 2).test.x, a.test.x);
});

test(
  "label-first files: a header named label picks its column; an unnamed one with a fractional last column is " +
    "ambiguous",
  () => {
    const named = loadCsvDataset(file("named.csv", "label,a,b\n0,0.5,0.25\n1,0.75,0.5\n0,0.1,0.2\n1,0.3,0.9\n"));
    assert.equal(named.numClasses, 2);
    assert.deepEqual(Array.from(named.y), [0, 1, 0, 1]);
    assert.deepEqual(named.featureNames, ["a", "b"]);
    const text = "0,0.5,0.25\n1,0.75,0.5\n0,0.1,0.2\n1,0.3,0.9\n";
    assert.throws(
      () => loadCsvDataset(file("first.csv", text)),
      /first column holds class indices and the last holds fractional numbers.*--label-column 0/,
    );
    assert.equal(loadCsvDataset(file("first.csv", text), { labelColumn: 0 }).numClasses, 2);
    assert.equal(loadCsvDataset(file("first.csv", text), { labelColumn: -1 }).numClasses, 0);
    assert.equal(loadCsvDataset(file("first.csv", text), { task: "regression" }).numClasses, 0);
    // A fractional first column is no class label: the last column is the regression target, as before.
    assert.equal(loadCsvDataset(file("frac.csv", "0.5,0.1\n1.5,0.2\n2.5,0.3\n3.5,0.4\n")).numClasses, 0);
  },
);
