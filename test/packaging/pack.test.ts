import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CONSUMER = fileURLToPath(new URL("../fixtures/packaging/consumer.mjs", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "descent-pack-"));
const project = join(work, "consumer");

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", npm_config_update_notifier: "false" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the packed package, installed into a fresh project", { timeout: 300_000 }, () => {
  after(() => rmSync(work, { recursive: true, force: true }));
  let tarball = "";

  it("npm pack ships the built dist/ and the binary", () => {
    // `npm test` builds dist/ first; prepack would build it again, so scripts are skipped here.
    assert.ok(existsSync(join(ROOT, "dist/src/index.js")), "dist/ is missing: run `npm run build` first");
    const packed = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = new Set(info.files.map((f) => f.path));
    for (const path of [
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/cli/main.js",
      "bin/descent.js",
      "package.json",
    ])
      assert.ok(files.has(path), `${path} is not in the tarball`);
    assert.ok(
      ![...files].some((p) => p.startsWith("test/") || p.startsWith("src/")),
      "sources and tests stay out of the tarball",
    );
    tarball = join(work, info.filename);
  });

  it('installs (from the npm cache when it can) and runs a script that imports only "descent"', () => {
    assert.ok(tarball, "the pack step failed");
    run("mkdir", ["-p", project], work);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const install = (mode: string) => run("npm", ["install", mode, "--no-audit", "--no-fund", tarball], project);
    let installed = install("--offline");
    if (installed.code !== 0) installed = install("--prefer-offline");
    assert.equal(installed.code, 0, installed.stderr);
    // One copy of jax-js: Descent's own, at the top of the consumer's tree.
    assert.ok(existsSync(join(project, "node_modules/@jax-js/jax/package.json")));
    assert.ok(!existsSync(join(project, "node_modules/descent/node_modules/@jax-js")));

    copyFileSync(CONSUMER, join(project, "consumer.mjs"));
    const consumer = run(process.execPath, ["consumer.mjs"], project);
    assert.equal(consumer.code, 0, consumer.stderr);
    const out = JSON.parse(consumer.stdout);
    assert.ok(
      out.loopLastLoss < out.loopFirstLoss / 10,
      `custom loop: loss ${out.loopFirstLoss} → ${out.loopLastLoss}`,
    );
    assert.equal(out.lbfgs.status, "converged");
    assert.ok(out.lbfgs.x.every((v: number) => Math.abs(v - 1) < 1e-5));
    assert.equal(out.adam.nit, 300);
    assert.ok(out.adam.fun < out.adam.f0 / 10);
    // H = [[2, 3], [3, 10]]: λmax = 6 + √(36 − 11) = 11.
    assert.ok(Math.abs(out.topEigenvalue - 11) < 1e-10, `λmax = ${out.topEigenvalue}`);
  });

  it("npx descent --help works from the consumer project", () => {
    const help = run("npx", ["--no", "--", "descent", "--help"], project);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: descent/);
    assert.match(help.stdout, /train/);
  });
});
