import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";

/**
 * Writes a file so that readers see either the old contents or the complete new ones, never a
 * half-written file: write a temporary sibling, flush it to disk, then rename over the target.
 */
export function writeFileAtomic(path: string, chunks: Uint8Array[] | string): void {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    for (const chunk of typeof chunks === "string" ? [Buffer.from(chunks)] : chunks) {
      let offset = 0;
      while (offset < chunk.byteLength) offset += writeSync(fd, chunk, offset);
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
