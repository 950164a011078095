/**
 * Numeric CSV files as datasets: one example per line, one label column, every other column a
 * feature. Quoted cells ("a,b", with "" for a quote) are understood; a quoted cell cannot span lines.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { assertClassIndices, FLOAT32_MAX } from "./checks.js";
import type { Dataset } from "./dataset.js";

export interface CsvOptions {
  /**
   * Column index (negative counts from the end) or header name. Default: the column whose header is
   * label, class, target or y; else the last column.
   */
  labelColumn?: number | string;
  /** Whether the first line names the columns; default: detected (a non-numeric cell above a numeric one). */
  header?: boolean;
  /**
   * Default: classification when every label is a class index 0..K−1 (each class present) or some label
   * is not a number; regression when some label is fractional. Integer labels that are not such indices
   * (−1, a stray 999) are an error asking for an explicit task.
   */
  task?: "classification" | "regression";
  /** Cell separator, default ",". */
  delimiter?: string;
}

/** A CSV dataset also remembers its column names and, for string labels, the class names by index. */
export interface CsvDataset extends Dataset {
  featureNames?: string[];
  classNames?: string[];
}

interface Row {
  line: number; // 1-based line in the file, for error messages
  cells: string[];
}

const isNumber = (s: string) => s.trim() !== "" && Number.isFinite(Number(s));

// One line split into trimmed cells, honouring double quotes.
function splitLine(text: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === "") (quoted = true), (cell = "");
    else if (text.startsWith(delimiter, i)) cells.push(cell.trim()), (cell = ""), (i += delimiter.length - 1);
    else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

function readRows(path: string, delimiter: string): Row[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT"
        ? `CSV file ${path} does not exist.`
        : `CSV file ${path} could not be read (${code ?? (e as Error).message}).`,
    );
  }
  const rows: Row[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((t, i) => {
      if (t.trim() !== "") rows.push({ line: i + 1, cells: splitLine(t, delimiter) }); // blank lines are skipped
    });
  if (rows.length === 0) throw new Error(`CSV file ${path} is empty.`);
  return rows;
}

// A header is a first line with a non-numeric cell where the next line has a number.
function detectHeader(rows: Row[]): boolean {
  const [first, second] = rows;
  if (!second) return first.cells.every((c) => !isNumber(c));
  return first.cells.some((c, i) => !isNumber(c) && i < second.cells.length && isNumber(second.cells[i]));
}

function resolveLabelColumn(
  path: string,
  spec: number | string | undefined,
  columns: number,
  names?: string[],
): number {
  if (spec === undefined) return columns - 1;
  if (typeof spec === "string") {
    const i = names?.indexOf(spec) ?? -1;
    if (i < 0)
      throw new Error(
        `CSV file ${path} has no column named "${spec}" (columns: ` +
          `${names?.join(", ") ?? "none, the file has no header"}).`,
      );
    return i;
  }
  const i = spec < 0 ? columns + spec : spec;
  if (!Number.isInteger(spec) || i < 0 || i >= columns)
    throw new Error(`CSV file ${path} has ${columns} columns, so label column ${spec} does not exist.`);
  return i;
}

const LABEL_NAMES = ["label", "class", "target", "y"];

// A header that names the label column picks it, wherever it stands.
function namedLabelColumn(names: string[] | undefined): number | undefined {
  const i = names?.findIndex((n) => LABEL_NAMES.includes(n.toLowerCase())) ?? -1;
  return i >= 0 ? i : undefined;
}

// Whether every cell of column c is an integer class index 0..K−1 with K ≥ 2, every class present, K ≤ rows/2.
function looksLikeClassIndices(data: Row[], c: number): boolean {
  const values = data.map((row) => Number(row.cells[c]));
  if (!data.every((row) => isNumber(row.cells[c])) || !values.every((v) => Number.isInteger(v) && v >= 0)) return false;
  const classes = new Set(values);
  const k = Math.max(...values) + 1;
  return k >= 2 && classes.size === k && k <= data.length / 2;
}

/**
 * The default label column is the last one. A fractional last column (a regression target?) beside a first column
 * of class indices (a label-first file, as MNIST's CSVs are) is ambiguous: guessing either way trains the wrong
 * model silently, so the user must say which.
 */
function assertLastColumnIsTheLabel(path: string, data: Row[], columns: number): void {
  const last = data.map((row) => row.cells[columns - 1]);
  const lastFractional = last.every(isNumber) && last.some((s) => !Number.isInteger(Number(s)));
  if (lastFractional && looksLikeClassIndices(data, 0))
    throw new Error(
      `CSV file ${path}: the first column holds class indices and the last holds fractional numbers, so the label ` +
        `column is ambiguous: pass --label-column 0 (classification on the first column) or --label-column -1 ` +
        `(or --task regression) to predict the last column.`,
    );
}

/** Reads a CSV file of numeric features and one label (class or real target) per line. */
export function loadCsvDataset(path: string, opts: CsvOptions = {}): CsvDataset {
  // A typed backslash-t (as a command line passes it) means a tab.
  const rows = readRows(path, opts.delimiter === "\\t" ? "\t" : (opts.delimiter ?? ","));
  if (opts.header === false && typeof opts.labelColumn === "string")
    throw new Error(`CSV file ${path} cannot select label column "${opts.labelColumn}" by name when header is false.`);
  const header = opts.header ?? (typeof opts.labelColumn === "string" || detectHeader(rows));
  const names = header ? rows[0].cells : undefined;
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new Error(`CSV file ${path} has a header line but no data lines.`);
  const columns = rows[0].cells.length;
  for (const row of rows)
    if (row.cells.length !== columns)
      throw new Error(
        `CSV file ${path} line ${row.line} has ${row.cells.length} cells but line ${rows[0].line} has ${columns}.`,
      );
  if (columns < 2) {
    const other = [";", "\t", "|"].find((d) => rows[0].cells[0].includes(d));
    const shown = other === "\t" ? "\\t" : other;
    throw new Error(
      `CSV file ${path} has a single column, so there are no features besides the label` +
        `${other ? ` (its lines hold "${shown}": pass --delimiter "${shown}")` : ""}.`,
    );
  }
  const labelAt = resolveLabelColumn(path, opts.labelColumn ?? namedLabelColumn(names), columns, names);
  if (opts.labelColumn === undefined && opts.task === undefined && labelAt === columns - 1)
    assertLastColumnIsTheLabel(path, data, columns);
  const columnName = (c: number) => `column ${c + 1}${names ? ` ("${names[c]}")` : ""}`;

  const features = columns - 1;
  const x = new Float32Array(data.length * features);
  data.forEach((row, r) => {
    let f = 0;
    row.cells.forEach((cell, c) => {
      if (c === labelAt) return;
      if (!isNumber(cell))
        throw new Error(`CSV file ${path} line ${row.line} ${columnName(c)} holds "${cell}", which is not a number.`);
      if (Math.abs(Number(cell)) > FLOAT32_MAX)
        throw new Error(
          `CSV file ${path} line ${row.line} ${columnName(c)} holds ${cell}, beyond float32's range (±3.4e38).`,
        );
      x[r * features + f++] = Number(cell);
    });
  });

  const raw = data.map((row) => row.cells[labelAt]);
  const allNumeric = raw.every(isNumber);
  const values = allNumeric ? raw.map(Number) : [];
  const integers = allNumeric && values.every((v) => Number.isInteger(v));
  const lineOf = (i: number) => `line ${data[i].line} ${columnName(labelAt)}`;
  // Integer labels are read as class indices unless --task says
  // otherwise: a stray -1 or 999 is an error, not a silent regression.
  if (opts.task === undefined && integers)
    assertClassIndices(
      values,
      `CSV file ${path}`,
      lineOf,
      ` (or choose --task regression, or --task classification to number the distinct labels as classes)`,
    );
  const task = opts.task ?? (integers || !allNumeric ? "classification" : "regression");
  const base = {
    name: basename(path),
    x,
    xShape: [features],
    size: data.length,
    ...(names && { featureNames: names.filter((_, c) => c !== labelAt) }),
  };

  if (task === "regression") {
    const bad = raw.findIndex((s) => !isNumber(s));
    if (bad >= 0)
      throw new Error(
        `CSV file ${path} line ${data[bad].line} ${columnName(labelAt)} holds the target "${raw[bad]}", which is not ` +
          `a number.`,
      );
    const huge = values.findIndex((v) => Math.abs(v) > FLOAT32_MAX);
    if (huge >= 0)
      throw new Error(
        `CSV file ${path} ${lineOf(huge)} holds the target ${raw[huge]}, beyond float32's range (±3.4e38).`,
      );
    return { ...base, y: Float32Array.from(values), yShape: [1], numClasses: 0 };
  }
  if (opts.task === undefined && integers) {
    // Integer labels are class indices already.
    return {
      ...base,
      y: Float32Array.from(values),
      yShape: [],
      numClasses: values.reduce((m, v) => Math.max(m, v), -1) + 1,
    };
  }
  // Other labels name classes, numbered in sorted order (numerically when all are numbers).
  const keys = allNumeric ? values.map(String) : raw; // so "1.0" and "1" are one class
  const classNames = [...new Set(keys)].sort(
    allNumeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  const index = new Map(classNames.map((n, i) => [n, i]));
  return {
    ...base,
    y: Float32Array.from(keys, (s) => index.get(s)!),
    yShape: [],
    numClasses: classNames.length,
    classNames,
  };
}
