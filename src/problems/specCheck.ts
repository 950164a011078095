/**
 * Type checks of a problem spec's fields before anything reaches the engine, so a `null` in b, a string
 * in A or `"n": "10"` is one message naming the field instead of a coerced number or an engine error.
 */
type Spec = Record<string, unknown>;

const where = (name: string, key: string) => `problem "${name}": "${key}"`;

function finiteNumber(value: unknown, name: string, key: string, at = ""): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new Error(`${where(name, key)}${at} must be a finite number, got ${JSON.stringify(value)}`);
  return value;
}

export function numberField(spec: Spec, name: string, key: string, min = -Infinity): number {
  const v = finiteNumber(spec[key], name, key);
  if (v < min) throw new Error(`${where(name, key)} must be at least ${min}, got ${v}`);
  return v;
}

export function integerField(spec: Spec, name: string, key: string, min: number): number {
  const v = spec[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw new Error(`${where(name, key)} must be an integer of at least ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export function vectorField(spec: Spec, name: string, key: string, length?: number): number[] {
  const v = spec[key];
  if (!Array.isArray(v) || v.length === 0) throw new Error(`${where(name, key)} must be a non-empty array of numbers`);
  if (length !== undefined && v.length !== length)
    throw new Error(`${where(name, key)} has ${v.length} entries, ${length} expected`);
  v.forEach((x, i) => finiteNumber(x, name, key, `[${i}]`));
  return v as number[];
}

export function matrixField(
  spec: Spec,
  name: string,
  key: string,
  shape: { rows?: number; cols?: number } = {},
): number[][] {
  const m = spec[key];
  if (!Array.isArray(m) || m.length === 0 || !Array.isArray(m[0]))
    throw new Error(`${where(name, key)} must be a non-empty array of rows (arrays of numbers)`);
  const cols = shape.cols ?? (m[0] as unknown[]).length;
  if (shape.rows !== undefined && m.length !== shape.rows)
    throw new Error(`${where(name, key)} has ${m.length} rows, ${shape.rows} expected`);
  m.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols)
      throw new Error(`${where(name, key)} row ${i} must be an array of ${cols} numbers`);
    row.forEach((x, j) => finiteNumber(x, name, key, `[${i}][${j}]`));
  });
  return m as number[][];
}

/** The starting point, when the spec gives one: finite numbers, one per dimension. */
export function startField(value: unknown, name: string, dim: number): number[] | undefined {
  if (value === undefined) return undefined;
  return vectorField({ x0: ArrayBuffer.isView(value) ? Array.from(value as Float64Array) : value }, name, "x0", dim);
}
