import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertFault, descent, finishedRun, snapshot, tmp, TINY } from "./helpers.js";

/** A small tmpfs at a fresh folder (root only: mount needs it); unmounted when the test ends. */
function smallDisk(t: TestContext, sizeKiB: number): string | undefined {
  if (process.getuid?.() !== 0) {
    t.skip("mounting a tmpfs needs root");
    return undefined;
  }
  const dir = tmp("tmpfs");
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k`, "tmpfs", dir], { encoding: "utf8" });
  if (mount.status !== 0) {
    t.skip(`mount failed: ${mount.stderr.trim()}`);
    return undefined;
  }
  t.after(() => spawnSync("umount", [dir]));
  return dir;
}

describe("--out faults: exit 2, one line naming the cause, nothing lost", () => {
  it("--out is a file", () => {
    const file = join(tmp("outfile"), "f.txt");
    writeFileSync(file, "mine");
    assertFault(descent(["train", ...TINY, "--out", file]), /--out .*f\.txt is a file, not a folder/);
  });

  it("--out is /dev/null", () =>
    assertFault(descent(["train", ...TINY, "--out", "/dev/null"]), /--out \/dev\/null is a file, not a folder/));

  it("--out is inside a file", () => {
    const file = join(tmp("inside"), "f.txt");
    writeFileSync(file, "mine");
    assertFault(
      descent(["train", ...TINY, "--out", join(file, "run")]),
      /cannot create the folder .*f\.txt\/run: a part of the path is a file, not a folder/,
    );
  });

  it("--out on a read-only file system keeps the run there", (t) => {
    const disk = smallDisk(t, 4096);
    if (!disk) return;
    const previous = finishedRun("ro-source");
    cpSync(previous, join(disk, "run"), { recursive: true });
    const before = snapshot(join(disk, "run"));
    assert.equal(spawnSync("mount", ["-o", "remount,ro", disk]).status, 0);
    assertFault(
      descent(["train", ...TINY, "--out", join(disk, "run")]),
      /cannot write .*: the file system is read-only/,
    );
    assert.deepEqual(snapshot(join(disk, "run")), before);
  });

  it("a full disk during a run leaves the previous run intact", (t) => {
    const disk = smallDisk(t, 512);
    if (!disk) return;
    const out = join(disk, "run");
    const first = descent(["train", ...TINY, "--out", out, "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const before = snapshot(out);
    // Leave 16 KiB: the lock, metrics and first checkpoint fit (4 KiB pages), the ~45 KiB report does not.
    const { bavail, bsize } = statfsSync(disk);
    writeFileSync(join(disk, "filler"), Buffer.alloc(bavail * bsize - 16 * 1024));
    const failed = descent(["train", ...TINY, "--seed", "1", "--out", out]);
    assertFault(failed, /cannot write .*: no space left on the device/);
    assert.match(failed.stderr, /^epoch 2\/2: /m, "the disk filled up during the run, after its epochs");
    assert.deepEqual(snapshot(out), before);
  });
});

describe("descent optimize --trajectory", () => {
  it("into a folder that does not exist: exit 2 before the run", () => {
    const run = descent([
      "optimize",
      "--problem",
      "rosenbrock",
      "--method",
      "bfgs",
      "--trajectory",
      "/no/such/folder/t.json",
    ]);
    assertFault(run, /--trajectory \/no\/such\/folder\/t\.json: the folder \/no\/such\/folder does not exist/);
  });
});
