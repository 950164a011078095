import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descent } from "./run.js";

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `descent-cli-${name}-`));

describe("descent landscape", () => {
  it("draws a user's 2-D objective module; a module of another dimension is refused", () => {
    const dir = tmp("landscape-module");
    const module = join(import.meta.dirname, "../fixtures/objectives/valley2d.mjs");
    const run = descent([
      "landscape",
      "--problem",
      module,
      "--methods",
      "lbfgs,book.momentum",
      "--steps",
      "40",
      "--out",
      join(dir, "m.svg"),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(join(dir, "m.svg"), "utf8"), /^<svg/);
    const bowl = join(import.meta.dirname, "../fixtures/objectives/bowl.mjs");
    const refused = descent(["landscape", "--problem", bowl, "--methods", "lbfgs", "--out", join(dir, "b.svg")]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /landscape draws 2-D problems; .*bowl\.mjs has dimension 3/);
  });

  it("draws a first-order method and a solver over the contours as SVG", () => {
    const out = join(tmp("landscape"), "race.svg");
    const run = descent([
      "landscape",
      "--problem",
      "beale",
      "--methods",
      "book.adam,bfgs",
      "--config",
      '{"book.adam": {"lr": 0.05}}',
      "--steps",
      "30",
      "--from",
      "1,1",
      "--out",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const svg = readFileSync(out, "utf8");
    assert.match(svg, /^<svg/);
    for (const label of ["book.adam", "bfgs", "f along the path"]) assert.ok(svg.includes(label), label);
  });

  it("draws a trained network's interpolation and 2-D slice (PCA or random directions) with its trajectory", () => {
    const dir = tmp("landscape-model");
    const trained = descent(["train", "--dataset", "blobs", "--epochs", "3", "--width", "16", "--out", dir, "--json"]);
    assert.equal(trained.code, 0, trained.stderr);
    const out = join(dir, "landscape.svg");
    const run = descent([
      "landscape",
      "--model",
      dir,
      "--grid",
      "7",
      "--examples",
      "200",
      "--trajectory",
      "--out",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /slice 7×7 in/);
    const svg = readFileSync(out, "utf8");
    // With --trajectory the slice's directions default to the trajectory's principal components (Li et al. §7).
    for (const text of [
      "2-D slice",
      "PCA of the trajectory",
      "training trajectory, projected",
      "θ every",
      "% of the variance",
    ])
      assert.ok(svg.includes(text), text);
    const randomOut = join(dir, "landscape-random.svg");
    const random = descent([
      "landscape",
      "--model",
      dir,
      "--grid",
      "5",
      "--examples",
      "100",
      "--directions",
      "random",
      "--out",
      randomOut,
    ]);
    assert.equal(random.code, 0, random.stderr);
    for (const text of ["filter-normalized", "θ₀ and θ* only"])
      assert.ok(readFileSync(randomOut, "utf8").includes(text), text);
    const pcaAlone = descent(["landscape", "--model", dir, "--directions", "pca", "--out", out]);
    assert.equal(pcaAlone.code, 2);
    assert.match(pcaAlone.stderr, /--directions pca needs the trajectory/);
    const missing = descent(["landscape", "--model", join(dir, "nowhere"), "--out", out]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or directory/);
    const notRun = descent(["landscape", "--model", tmp("empty"), "--out", out]);
    assert.equal(notRun.code, 2);
    assert.match(notRun.stderr, /no config\.json/);
  });

  it("refuses bad input with exit code 2 and one message", () => {
    const dir = tmp("landscape-bad");
    const cases: [string[], RegExp][] = [
      [["--problem", "nowhere", "--methods", "book.sgd"], /neither a built-in surface/],
      [["--problem", "saddle", "--methods", "book.sgd,warp"], /unknown method "warp"/],
      [["--problem", "saddle", "--methods", "book.sgd", "--config", '{"bfgs": {}}'], /--methods does not list/],
      [["--problem", "saddle", "--methods", "book.sgd", "--from", "1"], /--from must be two numbers/],
      [["--model", ".", "--grid", "8"], /--grid must be odd/],
      [["--problem", "saddle", "--model", "."], /either --problem .* or --model/],
      [["--problem", "saddle", "--methods", "book.sgd", "--config", '{"book.sgd": {"rate": 1}}'], /rate/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, "x.svg");
      const run = descent(["landscape", ...args, "--out", out]);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.ok(!existsSync(out));
    }
    assert.equal(
      descent(["landscape", "--problem", "saddle", "--methods", "book.sgd", "--out", join(dir, "x.png")]).code,
      2,
    );
  });
});
