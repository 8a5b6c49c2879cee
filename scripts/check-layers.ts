/**
 * `tsx scripts/check-layers.ts [root]`: fails (exit code 1, one line per problem) when an import
 * goes against the layering of scripts/layers.ts. Part of `npm run lint`.
 */
import path from "node:path";
import { checkLayers, LAYERS, sourceFiles } from "./layers";

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, ".."));
const problems = checkLayers(root);
for (const p of problems) process.stderr.write(`${p}\n`);
if (problems.length > 0) process.exitCode = 1;
else process.stdout.write(`Layers hold: ${sourceFiles(root).length} files in ${LAYERS.length} folders.\n`);
