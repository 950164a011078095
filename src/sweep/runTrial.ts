import { spawn } from "node:child_process";
import { descentBin } from "./command.js";

/** The outcome of one child run: its --json summary, or the error it reported; `signal` when it was killed. */
export type TrialOutcome =
  | { ok: true; metrics: Record<string, unknown> }
  | { ok: false; error: string; signal?: NodeJS.Signals };

/** Runs `descent ARGS` as a child process of the built CLI and parses the last stdout line as its --json summary. */
export function runDescent(args: string[], opts: { signal?: AbortSignal } = {}): Promise<TrialOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [descentBin(), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      signal: opts.signal,
      killSignal: "SIGTERM",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (error) => {
      if ((error as Error).name !== "AbortError") stderr += (error as Error).message;
    });
    child.on("close", (code, signal) => {
      if (signal || opts.signal?.aborted)
        return resolve({ ok: false, error: `killed by ${signal ?? "abort"}`, signal: signal ?? "SIGTERM" });
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code === 0) {
        try {
          return resolve({ ok: true, metrics: JSON.parse(last) });
        } catch {
          return resolve({ ok: false, error: `exit 0 but no JSON summary on stdout: ${last.slice(0, 200)}` });
        }
      }
      const message = stderr.trim().split("\n").filter(Boolean).slice(-1)[0] ?? "";
      resolve({ ok: false, error: `exit code ${code}: ${message.replace(/^descent: /, "")}` });
    });
  });
}
