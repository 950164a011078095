/**
 * IDX files, the format of the original MNIST and Fashion-MNIST distributions: a magic number
 * 0x00 0x00 <type> <ndims>, ndims big-endian uint32 dimensions, then the big-endian data.
 * Gzip is detected by its magic bytes, so `.gz` files and already-unpacked files both work.
 */
import { assertClassIndices } from "./checks.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Dataset } from "./dataset.js";

export type IdxType = "ubyte" | "byte" | "short" | "int" | "float" | "double";

// Type code → name, element size in bytes, and big-endian reader.
const TYPES: Record<number, { name: IdxType; bytes: number; read: (v: DataView, o: number) => number }> = {
  0x08: { name: "ubyte", bytes: 1, read: (v, o) => v.getUint8(o) },
  0x09: { name: "byte", bytes: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { name: "short", bytes: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { name: "int", bytes: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { name: "float", bytes: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { name: "double", bytes: 8, read: (v, o) => v.getFloat64(o, false) },
};

const hex = (n: number, digits = 2) => `0x${n.toString(16).padStart(digits, "0")}`;

// Raw bytes of a file, gunzipped when they start with gzip's magic 1f 8b.
function readBytes(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`IDX file ${path} does not exist.`);
    throw new Error(`IDX file ${path} could not be read (${code ?? (e as Error).message}).`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (e) {
      throw new Error(`IDX file ${path} starts like gzip but does not decompress (${(e as Error).message}).`);
    }
  }
  return raw;
}

/** Reads an IDX file (plain or gzipped) into float32 values with their shape; values are not rescaled. */
export function readIdx(path: string): { shape: number[]; data: Float32Array; type: IdxType } {
  const bytes = readBytes(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4)
    throw new Error(`IDX file ${path} is truncated: it has ${bytes.length} bytes, fewer than the 4-byte magic number.`);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw new Error(
      `IDX file ${path} has a bad magic number ${hex(view.getUint32(0, false), 8)}: an IDX file starts with two zero ` +
        `bytes, a type code and a dimension count.`,
    );
  const type = TYPES[bytes[2]];
  if (!type)
    throw new Error(
      `IDX file ${path} has a bad magic number: unknown data type code ${hex(bytes[2])} (expected 0x08, 0x09, 0x0b, ` +
        `0x0c, 0x0d or 0x0e).`,
    );
  const ndims = bytes[3];
  if (ndims === 0) throw new Error(`IDX file ${path} has a bad magic number: it declares zero dimensions.`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header)
    throw new Error(
      `IDX file ${path} is truncated: its ${ndims}-dimension header needs ${header} bytes but the file has ` +
        `${bytes.length}.`,
    );
  const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const needed = count * type.bytes;
  const present = bytes.length - header;
  if (present < needed)
    throw new Error(
      `IDX file ${path} is truncated: its header declares shape [${shape.join(", ")}] of ${type.name} (${needed} ` +
        `bytes of data) but only ${present} bytes follow.`,
    );
  if (present > needed)
    throw new Error(
      `IDX file ${path} has ${present - needed} unexpected bytes after the ${needed} bytes of data its header ` +
        `declares.`,
    );
  const data = new Float32Array(count);
  if (type.name === "ubyte")
    data.set(bytes.subarray(header)); // the common case, without DataView calls
  else for (let i = 0; i < count; i++) data[i] = type.read(view, header + i * type.bytes);
  return { shape, data, type: type.name };
}

// `dir/<prefix>-images-idx3-ubyte[.gz]` (or the `.idx3-ubyte` spelling), if present.
function findImages(dir: string, prefix: string): string | undefined {
  for (const stem of [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`])
    for (const name of [stem, `${stem}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** The labels file that the standard naming pairs with an images file. */
export function labelsPathFor(imagesPath: string): string {
  const name = basename(imagesPath);
  const match = /^(.*)images([-.])idx\d-ubyte(\.gz)?$/.exec(name);
  if (!match)
    throw new Error(
      `IDX images file ${imagesPath} is not named like *-images-idx3-ubyte[.gz] or *-images.idx3-ubyte, so its ` +
        `labels file cannot be found.`,
    );
  const stem = join(dirname(imagesPath), `${match[1]}labels${match[2]}idx1-ubyte`);
  // Either compression may have been undone on one file but not the other.
  for (const candidate of [stem, `${stem}.gz`]) if (existsSync(candidate)) return candidate;
  throw new Error(`IDX labels file ${stem}[.gz] for images file ${imagesPath} does not exist.`);
}

/** An images file and its labels file as a classification Dataset (ubyte pixels scaled to [0, 1]). */
function loadPair(imagesPath: string, labelsPath: string, name: string, denseClasses = true): Dataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length < 2)
    throw new Error(
      `IDX images file ${imagesPath} has shape [${images.shape.join(", ")}]; expected examples along a first axis ` +
        `and at least one more axis.`,
    );
  if (labels.shape.length !== 1)
    throw new Error(`IDX labels file ${labelsPath} has shape [${labels.shape.join(", ")}]; expected one dimension.`);
  const size = images.shape[0];
  if (labels.shape[0] !== size)
    throw new Error(
      `IDX images file ${imagesPath} holds ${size} examples but its labels file ${labelsPath} holds ` +
        `${labels.shape[0]} labels.`,
    );
  if (size === 0) throw new Error(`IDX images file ${imagesPath} holds no examples.`);
  // A split's labels may leave classes to the other split; their union is checked by loadIdxSplits.
  const bad = labels.data.findIndex((l) => !(Number.isInteger(l) && l >= 0));
  if (bad >= 0)
    throw new Error(
      `IDX labels file ${labelsPath}: label ${bad} is ${labels.data[bad]}, which is not a class index (0, 1, 2, …).`,
    );
  const numClasses = denseClasses
    ? assertClassIndices(labels.data, `IDX labels file ${labelsPath}`, (i) => `label ${i}`)
    : labels.data.reduce((m, l) => Math.max(m, l + 1), 0);
  const x = images.data;
  const nonFinite = x.findIndex((v) => !Number.isFinite(v));
  if (nonFinite >= 0)
    throw new Error(
      `IDX images file ${imagesPath}: value ${nonFinite % (x.length / size)} of example ` +
        `${Math.floor(nonFinite / (x.length / size))} is ${x[nonFinite]}; images must hold finite numbers.`,
    );
  if (images.type === "ubyte") for (let i = 0; i < x.length; i++) x[i] /= 255; // pixels 0..255 → [0, 1]
  // [n, rows, cols] becomes NHWC with one channel; other ranks keep their trailing axes.
  const xShape = images.shape.length === 3 ? [images.shape[1], images.shape[2], 1] : images.shape.slice(1);
  return { name, x, xShape, y: labels.data, yShape: [], numClasses, size };
}

/**
 * The train and (when present) t10k datasets of a directory in the standard layout; both get the
 * same numClasses (the larger), so a model sized for one fits the other.
 */
export function loadIdxSplits(dir: string): { train: Dataset; test?: Dataset } {
  const trainImages = findImages(dir, "train");
  if (!trainImages)
    throw new Error(`IDX directory ${dir} does not contain train-images-idx3-ubyte[.gz] (or train-images.idx3-ubyte).`);
  const testImages = findImages(dir, "t10k");
  const train = loadPair(trainImages, labelsPathFor(trainImages), `${basename(dir)}/train`, !testImages);
  if (!testImages) return { train };
  const test = loadPair(testImages, labelsPathFor(testImages), `${basename(dir)}/test`, false);
  const both = [...train.y, ...test.y];
  assertClassIndices(both, `IDX labels files ${labelsPathFor(trainImages)} and ${labelsPathFor(testImages)}`, (i) =>
    i < train.size ? `train label ${i}` : `test label ${i - train.size}`,
  );
  if (test.xShape.join() !== train.xShape.join())
    throw new Error(
      `IDX file ${testImages} has examples of shape [${test.xShape.join(", ")}] but ${trainImages} has [` +
        `${train.xShape.join(", ")}].`,
    );
  train.numClasses = test.numClasses = Math.max(train.numClasses, test.numClasses);
  return { train, test };
}

/**
 * An IDX classification dataset: `path` names an images file (its labels file is found by the
 * standard naming) or a directory holding train-images-idx3-ubyte[.gz] and its labels (the train set).
 */
export function loadIdxDataset(path: string): Dataset {
  if (!existsSync(path)) throw new Error(`IDX file ${path} does not exist.`);
  if (statSync(path).isDirectory()) return loadIdxSplits(path).train;
  return loadPair(path, labelsPathFor(path), basename(path).replace(/[-.]?images.*$/, "") || basename(path));
}
