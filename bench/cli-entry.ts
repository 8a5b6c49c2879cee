import fs from "node:fs";
import path from "node:path";

/**
 * The node arguments that run the CLI of the checkout at `root` as its `npm run cli` does, without
 * npm's own start: the CLI's bundle (scripts/run-cli.mjs), or for an older checkout without one
 * (a benchmark's --root) its sources through tsx.
 */
export function cliArgs(root: string): string[] {
  return fs.existsSync(path.join(root, "scripts", "run-cli.mjs")) ? ["scripts/run-cli.mjs"] : ["--import", "tsx", "scripts/cli.ts"];
}
