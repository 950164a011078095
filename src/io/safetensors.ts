import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { HostTensor } from "../engine/index.js";
import { writeFileAtomic } from "./atomic.js";

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then the raw
 * little-endian tensor bytes. Readable by PyTorch/NumPy's `safetensors` package.
 */
const DTYPES = { F32: Float32Array, F64: Float64Array } as const;
type SafeDType = keyof typeof DTYPES;
/** Metadata key holding the SHA-256 of the tensor bytes: written on encode, checked and removed on decode. */
const CHECKSUM_KEY = "sha256";

function sha256(chunks: Uint8Array[]): string {
  const hash = createHash("sha256");
  for (const c of chunks) hash.update(c);
  return hash.digest("hex");
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function encodeSafetensors(
  tensors: Map<string, HostTensor>,
  metadata: Record<string, string> = {},
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  const bodies: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const dtype: SafeDType = t.data instanceof Float64Array ? "F64" : "F32";
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    bodies.push(bytes);
    offset += bytes.byteLength;
  }
  // Metadata first (the format allows any key order); the checksum covers every tensor byte.
  const withMetadata = { __metadata__: { ...metadata, [CHECKSUM_KEY]: sha256(bodies) }, ...header };
  let json = JSON.stringify(withMetadata);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const jsonBytes = Buffer.from(json, "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(jsonBytes.byteLength));
  return [length, jsonBytes, ...bodies];
}

export function decodeSafetensors(
  bytes: Uint8Array,
  source = "safetensors data",
): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength < 8) throw new Error(`${source} is not a safetensors file (too short)`);
  const headerLength = Number(buf.readBigUInt64LE(0));
  if (headerLength > buf.byteLength - 8)
    throw new Error(`${source} is truncated or not a safetensors file (header length ${headerLength})`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLength).toString("utf8"));
  } catch {
    throw new Error(`${source} has a malformed safetensors header`);
  }
  const dataStart = 8 + headerLength;
  const metadata = { ...((header.__metadata__ as Record<string, string>) ?? {}) };
  const expected = metadata[CHECKSUM_KEY];
  delete metadata[CHECKSUM_KEY];
  const tensors = new Map<string, HostTensor>();
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = value as HeaderEntry;
    const Ctor = DTYPES[entry.dtype as SafeDType];
    if (!Ctor)
      throw new Error(`${source}: tensor "${name}" has unsupported dtype ${entry.dtype} (F32 and F64 are supported)`);
    const [begin, end] = entry.data_offsets;
    const count = Array.isArray(entry.shape) ? entry.shape.reduce((a, b) => a * b, 1) : NaN;
    if (!(count * Ctor.BYTES_PER_ELEMENT === end - begin && begin >= 0))
      throw new Error(`${source}: tensor "${name}" has shape ${JSON.stringify(entry.shape)} but ${end - begin} bytes`);
    if (dataStart + end > buf.byteLength) throw new Error(`${source} is truncated: tensor "${name}" runs past the end`);
    // Copy so the typed array is aligned and owns its memory.
    const raw = buf.subarray(dataStart + begin, dataStart + end);
    const data = new Ctor(raw.byteLength / Ctor.BYTES_PER_ELEMENT);
    new Uint8Array(data.buffer).set(raw);
    tensors.set(name, { shape: entry.shape, data });
  }
  // After the bounds checks, so a truncated file is reported as truncated.
  if (expected !== undefined) {
    const actual = sha256([buf.subarray(dataStart)]);
    if (actual !== expected)
      throw new Error(
        `${source} is corrupted: the SHA-256 of its tensor bytes is ${actual.slice(0, 12)}…, the header records ` +
          `${String(expected).slice(0, 12)}…`,
      );
  }
  return { tensors, metadata };
}

export function writeSafetensors(
  path: string,
  tensors: Map<string, HostTensor>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(path: string): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(
      `cannot read checkpoint ${path}: ` +
        `${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  return decodeSafetensors(bytes, path);
}
