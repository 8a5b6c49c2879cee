/**
 * The import direction of docs/DEVELOPING.md, as a table and a check (`npm run lint` runs it
 * through scripts/check-layers.ts; a unit test runs it too). Each folder has a rank in LAYERS;
 * a file may import its own folder and folders of a lower rank only. Folders of the same rank
 * are siblings that never import each other. Every import counts: static, `import type`,
 * re-exports and dynamic `import()`.
 *
 * A new folder is one line in LAYERS. A file in a folder missing from the table fails the check,
 * and so does an exception that is no longer needed.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export interface Layer {
  folder: string;
  rank: number;
  what: string;
}

/** Bottom to top. The most specific folder (longest match) is the one a file belongs to. */
export const LAYERS: readonly Layer[] = [
  { folder: "lib/tensor", rank: 0, what: "raw kernels over typed arrays" },
  { folder: "lib/series", rank: 0, what: "CSV import, dates, frequencies: beside the engine, needing none of it" },
  { folder: "lib/export", rank: 0, what: "forecast exports as CSV and JSON: pure formatting" },
  { folder: "lib/nn", rank: 1, what: "cells, networks, losses and optimisers on lib/tensor" },
  { folder: "lib/forecast", rank: 2, what: "the engine: preparation, training, baselines, metrics, intervals" },
  { folder: "prisma", rank: 3, what: "the schema and its generated client" },
  { folder: "lib/db", rank: 4, what: "the one async Db interface: connection, dialect, date encoding, migrations" },
  { folder: "lib/queue", rank: 5, what: "the durable job queue: one guarded statement per operation" },
  { folder: "lib/auth", rank: 5, what: "sessions, API tokens and the request rules of the proxy" },
  { folder: "lib/datasets", rank: 5, what: "datasets, series and points: import and reads" },
  { folder: "lib/auth", rank: 5, what: "access control: request rules, sessions, API tokens, security headers" },
  { folder: "lib/runs", rank: 6, what: "training runs: request, attempts, epochs, results, views" },
  { folder: "lib/schedules", rank: 7, what: "cron, schedule storage and firing" },
  { folder: "lib/imports", rank: 8, what: "an upload start to end: parse, store and queue retraining in one transaction, off the web app's event loop" },
  { folder: "app", rank: 9, what: "the Next.js pages and REST API" },
  { folder: "workers", rank: 9, what: "the worker process" },
  { folder: "scripts", rank: 9, what: "the CLI, the start script and checks" },
  { folder: "bench", rank: 10, what: "benchmarks" },
  { folder: "tests", rank: 11, what: "tests: they may import anything" },
];

export interface Exception {
  from: string;
  to: string;
  why: string;
}

/** Imports against the direction that are allowed for now. The goal is an empty list. */
export const EXCEPTIONS: readonly Exception[] = [];

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(["node_modules", ".next", ".git", "test-results", "playwright-report", "tmp", "data", "out", "docs"]);

/** Source files under root (relative, `/`-separated), outside build output and dependencies; files directly in root are configuration and not checked. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(rel);
      } else if (dir && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  walk("");
  return out.sort();
}

/** The table line a path (relative to root) belongs to: the longest folder that contains it. */
export function layerOf(file: string, layers: readonly Layer[] = LAYERS): Layer | null {
  let best: Layer | null = null;
  for (const l of layers) {
    if ((file === l.folder || file.startsWith(`${l.folder}/`)) && (!best || l.folder.length > best.folder.length)) best = l;
  }
  return best;
}

/** Our own modules a file imports, as paths relative to root (`./x` and `@/x` specifiers; packages are skipped). */
export function importsOf(root: string, file: string): { target: string; line: number; specifier: string }[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const info = ts.preProcessFile(text, true, true);
  const out: { target: string; line: number; specifier: string }[] = [];
  for (const ref of info.importedFiles) {
    const spec = ref.fileName;
    let abs: string;
    if (spec.startsWith("@/")) abs = path.join(root, spec.slice(2));
    else if (spec.startsWith(".")) abs = path.resolve(root, path.dirname(file), spec);
    else continue;
    const target = path.relative(root, abs).split(path.sep).join("/");
    if (target.startsWith("..") || target.startsWith("node_modules/")) continue;
    out.push({ target, line: text.slice(0, ref.pos).split("\n").length, specifier: spec });
  }
  return out;
}

/** Every problem with the layering under root, one sentence each (empty when it holds). */
export function checkLayers(root: string, layers: readonly Layer[] = LAYERS, exceptions: readonly Exception[] = EXCEPTIONS): string[] {
  const problems: string[] = [];
  const used = new Set<Exception>();
  const unplaced = new Set<string>();
  for (const file of sourceFiles(root)) {
    const from = layerOf(file, layers);
    if (!from) {
      unplaced.add(file.split("/").slice(0, file.startsWith("lib/") ? 2 : 1).join("/"));
      continue;
    }
    for (const { target, line, specifier } of importsOf(root, file)) {
      const to = layerOf(target, layers);
      if (!to || to === from || to.rank < from.rank) continue;
      const exception = exceptions.find((e) => e.from === from.folder && e.to === to.folder);
      if (exception) {
        used.add(exception);
        continue;
      }
      const how = to.rank === from.rank ? "a sibling of the same rank" : "a higher layer";
      problems.push(`${file}:${line} imports "${specifier}": ${from.folder} (rank ${from.rank}) may not import ${to.folder}, ${how} (rank ${to.rank}).`);
    }
  }
  for (const folder of unplaced) problems.push(`${folder} is not in the layer table: add a line for it to LAYERS in scripts/layers.ts.`);
  for (const e of exceptions) {
    if (!used.has(e)) problems.push(`The exception ${e.from} -> ${e.to} is no longer needed: remove it from EXCEPTIONS in scripts/layers.ts.`);
  }
  return problems;
}
