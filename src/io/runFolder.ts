import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/** Files a run writes; a finished run's set replaces the previous one's as a whole (docs/reliability.md). */
export const RUN_FILES = [
  "metrics.jsonl",
  "diagnostics.jsonl",
  "config.json",
  "report.html",
  "checkpoint.safetensors",
] as const;
/** A file of a run: one of RUN_FILES, or a report chart saved as SVG beside them. */
export type RunFile = (typeof RUN_FILES)[number] | `${string}.svg`;
const isRunFile = (name: string) => (RUN_FILES as readonly string[]).includes(name) || name.endsWith(".svg");
/** Where a run lives until it ends, so that a run that fails or is stopped never touches the finished run beside it. */
export const UNFINISHED = "unfinished";
const LOCK = ".lock";

/** A file-system fault (full disk, read-only folder, a file where a folder should be) told in one line. */
export class RunFolderError extends Error {
  override name = "RunFolderError";
}

/** One line for a failed file operation: what we tried, on which path, and the system's reason. */
export function describeFsError(error: unknown, action: string): string | undefined {
  const e = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "the disk quota is exceeded",
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a part of the path is a file, not a folder",
    EEXIST: "a file is in the way",
    EISDIR: "it is a folder",
    ENOENT: "no such file or folder",
    EIO: "an input/output error of the device",
  };
  if (!e || typeof e.code !== "string" || !(e.code in reasons)) return undefined;
  return `cannot ${action} ${e.path ?? ""}: ${reasons[e.code]}`.replace("  ", " ");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * An output folder and the lock that gives one run at a time the use of it. A fresh run writes into
 * `<dir>/unfinished/` and `commit()` moves its files over the previous run's when it ends; a resumed
 * run continues where its checkpoint is (the unfinished folder, or the folder itself).
 */
export class RunFolder {
  private locked = false;

  private constructor(
    readonly dir: string,
    /** Where this run's files are written. */
    readonly filesDir: string,
    /** True when this process started the run (a failure then discards it). */
    readonly fresh: boolean,
  ) {}

  /** The checkpoint a `--resume` continues: the unfinished run's, else the finished run's. */
  static resumableCheckpoint(dir: string): string | undefined {
    return [join(dir, UNFINISHED), dir].map((d) => join(d, "checkpoint.safetensors")).find((p) => existsSync(p));
  }

  /** Takes the folder for a run: checks it is a writable folder, locks it, and prepares where the run writes. */
  static open(dir: string, resume: boolean): RunFolder {
    prepareDir(dir);
    const unfinished = join(dir, UNFINISHED);
    const lock = acquireLock(dir);
    try {
      let folder: RunFolder;
      if (resume) {
        const checkpoint = RunFolder.resumableCheckpoint(dir);
        if (!checkpoint) throw new RunFolderError(`--resume: no checkpoint in ${dir} (nor in ${unfinished})`);
        folder = new RunFolder(dir, checkpoint.startsWith(unfinished) ? unfinished : dir, false);
      } else {
        if (existsSync(join(unfinished, "checkpoint.safetensors"))) {
          throw new RunFolderError(
            `${unfinished} holds an interrupted run: continue it with --resume, or delete that folder to start a new ` +
              `run in ${dir}`,
          );
        }
        // Debris of a run killed before its first checkpoint: nothing there can be resumed.
        rmSync(unfinished, { recursive: true, force: true });
        mkdirSync(unfinished);
        folder = new RunFolder(dir, unfinished, true);
      }
      folder.locked = lock;
      return folder;
    } catch (error) {
      releaseLock(dir);
      throw error;
    }
  }

  path(file: RunFile): string {
    return join(this.filesDir, file);
  }

  /**
   * The run ended (completed or stopped early): its files replace
   * the previous run's, and none of that run's stays beside them.
   */
  commit(): void {
    if (this.filesDir === this.dir) return;
    const written = readdirSync(this.filesDir).filter(isRunFile);
    // The previous run's files that this run did not write go too, so no foreign file stays beside the new ones.
    for (const file of readdirSync(this.dir).filter(isRunFile))
      if (!written.includes(file)) rmSync(join(this.dir, file), { force: true });
    for (const file of written) renameSync(join(this.filesDir, file), join(this.dir, file));
    rmSync(this.filesDir, { recursive: true, force: true });
  }

  /** A fresh run failed: its partial files go, the previous run's stay as they were. */
  discard(): void {
    if (this.fresh) rmSync(this.filesDir, { recursive: true, force: true });
  }

  release(): void {
    if (this.locked) releaseLock(this.dir);
    this.locked = false;
  }
}

function prepareDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new RunFolderError(`--out ${dir} is a file, not a folder`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new RunFolderError(
      `--out ${dir}: ${describeFsError(error, "create the folder") ?? (error as Error).message}`,
    );
  }
}

/** Creates `<dir>/.lock` holding our pid; a lock whose process is gone (kill -9) is stale and taken over. */
function acquireLock(dir: string): boolean {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        // Created but not written (a full disk): leave no empty lock behind.
        if (fd !== undefined) closeSync(fd), rmSync(path, { force: true });
        throw new RunFolderError(`--out ${dir}: ${describeFsError(error, "write") ?? (error as Error).message}`);
      }
    }
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
      throw new RunFolderError(
        `--out ${dir} is in use by another run (process ${pid}); wait for it or choose another --out`,
      );
    unlinkSync(path);
  }
  throw new RunFolderError(`--out ${dir}: cannot take the lock ${path}`);
}

function releaseLock(dir: string): void {
  rmSync(join(dir, LOCK), { force: true });
}
