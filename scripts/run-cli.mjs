// `npm run cli -- <command> [args]`: runs the CLI (scripts/cli.ts) from its esbuild bundle, built
// on the first run and again whenever a source changed (scripts/cli-bundle.mjs says why).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ensureBundle } from "./cli-bundle.mjs";

const root = path.resolve(import.meta.dirname, "..");
let dir;
try {
  dir = await ensureBundle(root);
} catch (e) {
  // esbuild has printed the errors (file, line and column) already.
  process.stderr.write(`internal error: the CLI could not be bundled from its sources: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`);
  process.exit(1);
}
await import(pathToFileURL(path.join(dir, "cli.js")).href);
