import { readFileSync } from "node:fs";
import { UserError } from "./errors.js";

/** Reads JSON from a file, with one clear error for a missing file or malformed JSON (`what` names the file). */
export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `${what} ${path} cannot be read: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads a JSON object from a file, with one clear error for a missing file or malformed JSON. */
export function readJsonObject(path: string, what = "config file"): Record<string, unknown> {
  const value = readJson(path, what);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UserError(`${what} ${path} must contain a JSON object`);
  return value as Record<string, unknown>;
}
