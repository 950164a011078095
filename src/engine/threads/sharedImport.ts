/**
 * A module's memory import made shared (maximum 65 536 pages, as jax-js's shared memory), so modules
 * written for a plain memory (gemm/elementwiseWasm.ts) link with jax-js's memory when the thread pool
 * has made it shared. Only the import section's memory limits change.
 */
const uleb = (value: number): number[] => {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
};

function readUleb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

/** The import section with every unshared memory import turned shared (max 65 536 pages). */
function shareImports(body: Uint8Array): number[] {
  const out: number[] = [];
  let [count, at] = readUleb(body, 0);
  out.push(...uleb(count));
  const copyName = () => {
    const [length, next] = readUleb(body, at);
    out.push(...body.subarray(at, next + length));
    at = next + length;
  };
  const copyUleb = () => {
    const [, next] = readUleb(body, at);
    out.push(...body.subarray(at, next));
    at = next;
  };
  const copyLimits = (share: boolean) => {
    const flag = body[at++];
    if (share && flag === 0x00) {
      const [min, next] = readUleb(body, at);
      out.push(0x03, ...uleb(min), ...uleb(65536));
      at = next;
      return;
    }
    out.push(flag);
    copyUleb();
    if (flag & 1) copyUleb();
  };
  while (count-- > 0) {
    copyName();
    copyName();
    const kind = body[at++];
    out.push(kind);
    if (kind === 0x00) copyUleb();
    else if (kind === 0x01) {
      out.push(body[at++]);
      copyLimits(false);
    } else if (kind === 0x02) copyLimits(true);
    else if (kind === 0x03) out.push(body[at++], body[at++]);
    else throw new Error(`unknown import kind ${kind}`);
  }
  return out;
}

export function withSharedMemory(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts: number[] = [...bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readUleb(bytes, at + 1);
    if (id === 2) {
      const body = shareImports(bytes.subarray(start, start + size));
      parts.push(2, ...uleb(body.length), ...body);
    } else parts.push(...bytes.subarray(at, start + size));
    at = start + size;
  }
  return Uint8Array.from(parts);
}
