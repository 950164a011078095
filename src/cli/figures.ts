import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { startEngine } from "../engine/index.js";
import { writeFileAtomic } from "../io/atomic.js";
import { figuresPage, renderFigures } from "../report/figures/index.js";

export function figuresCommand(): Command {
  return new Command("figures")
    .description(
      "draw the chapter's figures (8.2–8.7 and extras) from runs performed now: one SVG each with its setting in the " +
        "caption, and index.html",
    )
    .requiredOption("--out <dir>", "output directory")
    .option("--quick", "smaller runs and grids (tests)")
    .action(async (flags) => {
      await startEngine();
      const figures = await renderFigures({ quick: Boolean(flags.quick) }, (name, seconds) =>
        process.stderr.write(`figure ${name}: ${seconds.toFixed(1)} s\n`),
      );
      mkdirSync(flags.out, { recursive: true });
      for (const figure of figures) writeFileAtomic(join(flags.out, figure.file), figure.svg);
      writeFileAtomic(join(flags.out, "index.html"), figuresPage(figures));
      process.stderr.write(`wrote ${figures.length} figures and index.html to ${flags.out}\n`);
    });
}
