import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/io/atomic.js";
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from "../../src/io/safetensors.js";

const tensors = new Map([
  ["params.0.weight", { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) }],
  ["params.0.bias", { shape: [3], data: new Float64Array([0.1, -0.2, 1e-300]) }],
  ["opt.count", { shape: [], data: new Float32Array([7]) }],
]);

describe("safetensors", () => {
  it("round-trips F32 and F64 tensors and metadata", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-st-"));
    const path = join(dir, "a.safetensors");
    writeSafetensors(path, tensors, { step: "12" });
    const back = readSafetensors(path);
    assert.deepEqual(back.metadata, { step: "12" });
    assert.deepEqual([...back.tensors.keys()].sort(), [...tensors.keys()].sort());
    for (const [k, t] of tensors) {
      assert.deepEqual(back.tensors.get(k)!.shape, t.shape);
      assert.deepEqual(back.tensors.get(k)!.data, t.data);
    }
  });

  it("writes the layout the format specifies (u64 header length, 8-byte aligned JSON, offsets)", () => {
    const bytes = Buffer.concat(encodeSafetensors(tensors));
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
    // sorted by name: opt.count (4 bytes) comes first
    assert.deepEqual(header["params.0.bias"], { dtype: "F64", shape: [3], data_offsets: [4, 28] });
    assert.equal(bytes.byteLength, 8 + n + 24 + 4 + 24);
  });

  it("rejects truncated or foreign files with a message naming the file", () => {
    const bytes = Buffer.concat(encodeSafetensors(tensors));
    assert.throws(
      () => decodeSafetensors(bytes.subarray(0, bytes.byteLength - 4), "x.safetensors"),
      /x\.safetensors is truncated/,
    );
    assert.throws(
      () => decodeSafetensors(Buffer.from("hello world, not a tensor file"), "y"),
      /y is truncated or not a safetensors file/,
    );
    assert.throws(
      () => readSafetensors("/no/such.safetensors"),
      /cannot read checkpoint \/no\/such.safetensors: no such file/,
    );
  });

  it("an atomic write that fails midway leaves the previous file intact and no temporary behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-atomic-"));
    const path = join(dir, "c.bin");
    writeFileSync(path, "previous contents");
    const exploding = new Proxy(new Uint8Array(4), {
      get: (t, p) =>
        p === "byteLength"
          ? (() => {
              throw new Error("disk full");
            })()
          : Reflect.get(t, p),
    });
    assert.throws(() => writeFileAtomic(path, [new Uint8Array([1, 2]), exploding]), /disk full/);
    assert.equal(readFileSync(path, "utf8"), "previous contents");
    assert.deepEqual(readdirSync(dir), ["c.bin"]);
  });
});

describe("safetensors checksum", () => {
  it("records the SHA-256 of the tensor bytes and rejects a flipped byte naming the file", () => {
    const bytes = Buffer.concat(encodeSafetensors(tensors, { step: "3" }));
    assert.deepEqual(decodeSafetensors(bytes, "ok.safetensors").metadata, { step: "3" });
    const flipped = Buffer.from(bytes);
    flipped[flipped.byteLength - 5] ^= 0x10;
    assert.throws(
      () => decodeSafetensors(flipped, "bad.safetensors"),
      /bad\.safetensors is corrupted: the SHA-256 of its tensor bytes/,
    );
  });
});
