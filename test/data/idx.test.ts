import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadIdxDataset, loadIdxSplits, parseDatasetSpec, readIdx } from "../../src/data/index.js";

// An IDX file: 0 0 type ndims, big-endian u32 dims, big-endian data.
function encodeIdx(type: number, shape: number[], values: ArrayLike<number>): Buffer {
  const sizes: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
  const header = 4 + 4 * shape.length;
  const buf = Buffer.alloc(header + values.length * sizes[type]);
  buf[2] = type;
  buf[3] = shape.length;
  shape.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  for (let i = 0; i < values.length; i++) {
    const o = header + i * sizes[type];
    if (type === 0x08) buf.writeUInt8(values[i], o);
    else if (type === 0x09) buf.writeInt8(values[i], o);
    else if (type === 0x0b) buf.writeInt16BE(values[i], o);
    else if (type === 0x0c) buf.writeInt32BE(values[i], o);
    else if (type === 0x0d) buf.writeFloatBE(values[i], o);
    else buf.writeDoubleBE(values[i], o);
  }
  return buf;
}

// 5 images of 3×4 pixels: pixel p of image n is (n·12 + p)·4 mod 256.
const N = 5;
const pixels = Uint8Array.from({ length: N * 12 }, (_, i) => (i * 4) % 256);
const labels = Uint8Array.from([3, 0, 1, 3, 2]);
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "descent-idx-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function checkDataset(d: ReturnType<typeof loadIdxDataset>, n = N) {
  assert.equal(d.size, n);
  assert.deepEqual(d.xShape, [3, 4, 1]);
  assert.deepEqual(d.yShape, []);
  assert.equal(d.numClasses, 4);
  assert.deepEqual(Array.from(d.y), Array.from(labels).slice(0, n));
  for (let i = 0; i < n * 12; i++) assert.ok(Math.abs(d.x[i] - pixels[i] / 255) < 1e-7);
}

test("readIdx reads every element type, big-endian, with its shape", () => {
  const cases: [number, string, number[]][] = [
    [0x08, "ubyte", [0, 1, 255, 128]],
    [0x09, "byte", [-128, -1, 0, 127]],
    [0x0b, "short", [-30000, 2, 300, 32767]],
    [0x0c, "int", [-2000000000, 1, 65536, 7]],
    [0x0d, "float", [0.5, -2.25, 1e10, 3]],
    [0x0e, "double", [0.125, -1e-3, 42, 1e300]],
  ];
  for (const [code, name, values] of cases) {
    const path = join(dir, `t-${name}.idx`);
    writeFileSync(path, encodeIdx(code, [2, 2], values));
    const r = readIdx(path);
    assert.equal(r.type, name);
    assert.deepEqual(r.shape, [2, 2]);
    assert.deepEqual(Array.from(r.data), values.map(Math.fround));
  }
});

test("IDX images + labels round trip, plain and gzipped (by magic bytes, whatever the extension)", () => {
  writeFileSync(join(dir, "plain-images-idx3-ubyte"), encodeIdx(0x08, [N, 3, 4], pixels));
  writeFileSync(join(dir, "plain-labels-idx1-ubyte"), encodeIdx(0x08, [N], labels));
  checkDataset(loadIdxDataset(join(dir, "plain-images-idx3-ubyte")));

  writeFileSync(join(dir, "gz-images-idx3-ubyte.gz"), gzipSync(encodeIdx(0x08, [N, 3, 4], pixels)));
  writeFileSync(join(dir, "gz-labels-idx1-ubyte.gz"), gzipSync(encodeIdx(0x08, [N], labels)));
  checkDataset(loadIdxDataset(join(dir, "gz-images-idx3-ubyte.gz")));

  // Gzipped content under a plain name, labels under the dotted spelling.
  writeFileSync(join(dir, "odd-images.idx3-ubyte"), gzipSync(encodeIdx(0x08, [N, 3, 4], pixels)));
  writeFileSync(join(dir, "odd-labels.idx1-ubyte"), encodeIdx(0x08, [N], labels));
  checkDataset(loadIdxDataset(join(dir, "odd-images.idx3-ubyte")));
});

test("IDX directory layout: train-* and t10k-*, and idx: specs", () => {
  const sub = mkdtempSync(join(dir, "layout-"));
  writeFileSync(join(sub, "train-images-idx3-ubyte.gz"), gzipSync(encodeIdx(0x08, [N, 3, 4], pixels)));
  writeFileSync(join(sub, "train-labels-idx1-ubyte.gz"), gzipSync(encodeIdx(0x08, [N], labels)));
  checkDataset(loadIdxDataset(sub));
  assert.equal(loadIdxSplits(sub).test, undefined);
  // Without t10k files the spec splits train 80/20 by seed.
  const split = parseDatasetSpec(`idx:${sub}`, 3);
  assert.equal(split.train.size, 4);
  assert.equal(split.test.size, 1);

  writeFileSync(join(sub, "t10k-images-idx3-ubyte"), encodeIdx(0x08, [2, 3, 4], pixels.subarray(0, 24)));
  writeFileSync(join(sub, "t10k-labels-idx1-ubyte"), encodeIdx(0x08, [2], [5, 4]));
  const { train, test: t10k } = parseDatasetSpec(`idx:${sub}`, 3);
  assert.equal(train.size, N);
  assert.equal(t10k.size, 2);
  assert.deepEqual(Array.from(t10k.y), [5, 4]);
  assert.equal(train.numClasses, 6, "numClasses covers both splits");
  assert.equal(t10k.numClasses, 6);
});

test("malformed IDX files give one clear error naming the file", () => {
  const bad = join(dir, "bad-images-idx3-ubyte");
  writeFileSync(bad, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
  assert.throws(
    () => readIdx(bad),
    (e: Error) => e.message.includes(bad) && /bad magic number 0x504b0304/.test(e.message),
  );

  const badType = join(dir, "badtype.idx");
  writeFileSync(badType, Buffer.from([0, 0, 0x07, 1, 0, 0, 0, 1, 9]));
  assert.throws(() => readIdx(badType), /badtype\.idx has a bad magic number: unknown data type code 0x07/);

  const truncated = join(dir, "trunc-images-idx3-ubyte");
  writeFileSync(truncated, encodeIdx(0x08, [N, 3, 4], pixels).subarray(0, 16 + 50));
  assert.throws(
    () => readIdx(truncated),
    (e: Error) =>
      e.message.includes(truncated) &&
      /is truncated: its header declares shape \[5, 3, 4\] of ubyte \(60 bytes of data\) but only 50 bytes follow/.test(
        e.message,
      ),
  );

  const shortHeader = join(dir, "shorthead.idx");
  writeFileSync(shortHeader, Buffer.from([0, 0, 8, 3, 0, 0]));
  assert.throws(
    () => readIdx(shortHeader),
    /shorthead\.idx is truncated: its 3-dimension header needs 16 bytes but the file has 6/,
  );

  const gzTruncated = join(dir, "gztrunc.idx");
  writeFileSync(gzTruncated, gzipSync(encodeIdx(0x08, [N], labels)).subarray(0, 12));
  assert.throws(() => readIdx(gzTruncated), /gztrunc\.idx starts like gzip but does not decompress/);

  assert.throws(() => readIdx(join(dir, "nope.idx")), /nope\.idx does not exist\./);
  assert.throws(() => loadIdxDataset(join(dir, "nope-images-idx3-ubyte")), /does not exist\./);

  writeFileSync(join(dir, "lonely-images-idx3-ubyte"), encodeIdx(0x08, [N, 3, 4], pixels));
  assert.throws(
    () => loadIdxDataset(join(dir, "lonely-images-idx3-ubyte")),
    /IDX labels file .*lonely-labels-idx1-ubyte\[\.gz\] for images file .* does not exist\./,
  );

  writeFileSync(join(dir, "count-images-idx3-ubyte"), encodeIdx(0x08, [N, 3, 4], pixels));
  writeFileSync(join(dir, "count-labels-idx1-ubyte"), encodeIdx(0x08, [N - 1], labels.subarray(0, N - 1)));
  assert.throws(
    () => loadIdxDataset(join(dir, "count-images-idx3-ubyte")),
    /holds 5 examples but its labels file .*count-labels-idx1-ubyte holds 4 labels\./,
  );

  writeFileSync(join(dir, "weird.bin"), encodeIdx(0x08, [N, 3, 4], pixels));
  assert.throws(() => loadIdxDataset(join(dir, "weird.bin")), /is not named like \*-images-idx3-ubyte/);
});
