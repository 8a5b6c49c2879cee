// `npm run cli -- <command> [args]`: runs the CLI (scripts/cli.ts) from its esbuild bundle, built
// on the first run and again whenever a source changed (scripts/cli-bundle.mjs says why).
import path from "node:path";
import { launch } from "./cli-bundle.mjs";

await launch(path.resolve(import.meta.dirname, ".."));
