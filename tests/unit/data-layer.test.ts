import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The data layer's arrows point one way (docs/DEVELOPING.md):
//   lib/db  <  lib/queue, lib/datasets  <  lib/runs  <  lib/schedules  <  workers/, app/, scripts/
// Each module may import only the modules listed for it (and the pure libraries).
const ROOT = path.resolve(import.meta.dirname, "../..");
const PURE = ["lib/tensor", "lib/nn", "lib/forecast", "lib/series", "lib/export"];
const ALLOWED: Record<string, string[]> = {
  "lib/db": [],
  "lib/queue": ["lib/db"],
  "lib/datasets": ["lib/db"],
  "lib/runs": ["lib/db", "lib/queue", "lib/datasets"],
  "lib/schedules": ["lib/db", "lib/queue", "lib/datasets", "lib/runs"],
  "lib/auth": ["lib/db"],
};
const LAYERS = Object.keys(ALLOWED);

function filesOf(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = path.join(dir, d.name);
    if (d.isDirectory()) return filesOf(rel);
    return /\.tsx?$/.test(d.name) ? [rel] : [];
  });
}

/** The lib/<module> a file's relative or "@/" import points at, or null for packages and app code. */
function importedModule(file: string, spec: string): string | null {
  let target: string;
  if (spec.startsWith("@/")) target = spec.slice(2);
  else if (spec.startsWith(".")) target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec));
  else return null;
  const m = /^lib\/[^/]+/.exec(target.split(path.sep).join("/"));
  return m ? m[0] : target.startsWith("prisma/") ? "prisma" : "elsewhere";
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
  return specs.map((s) => importedModule(file, s)).filter((m): m is string => m !== null);
}

describe("the data layer", () => {
  it.each(LAYERS)("%s imports only the layers below it", (layer) => {
    const allowed = new Set([layer, ...ALLOWED[layer], ...PURE, ...(layer === "lib/db" ? ["prisma"] : [])]);
    const wrong: string[] = [];
    for (const file of filesOf(layer)) for (const m of importsOf(file)) if (!allowed.has(m)) wrong.push(`${file} -> ${m}`);
    expect(wrong).toEqual([]);
  });

  it("the pure libraries import no database layer", () => {
    const wrong: string[] = [];
    for (const lib of PURE) for (const file of filesOf(lib)) for (const m of importsOf(file)) if (LAYERS.includes(m)) wrong.push(`${file} -> ${m}`);
    expect(wrong).toEqual([]);
  });
});
