/**
 * A temporary folder for a benchmark's files (the CLI's inputs and outputs), removed when the
 * process exits, also on Ctrl-C, unless `keep` is set: then its path is printed at exit, to read
 * the forecasts behind the figures.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];
let keeping = false;

process.on("exit", () => {
  for (const dir of made) {
    if (keeping) console.error(`kept the benchmark's files in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
});
process.once("SIGINT", () => process.exit(130));

export function scratchDir(prefix: string, keep = false): string {
  keeping ||= keep;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
