import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLayers, EXCEPTIONS, importsOf, LAYERS, layerOf, type Exception, type Layer } from "../../../scripts/layers";

const ROOT = path.resolve(import.meta.dirname, "../../..");

describe("the repository's layering", () => {
  it("holds: no import against the direction of docs/DEVELOPING.md", () => {
    expect(checkLayers(ROOT)).toEqual([]);
  });

  it("has no exceptions: every import points down", () => {
    expect(EXCEPTIONS).toEqual([]);
  });

  it("puts the data layer in the order of docs/DEVELOPING.md", () => {
    const rank = (folder: string) => LAYERS.find((l) => l.folder === folder)!.rank;
    expect(rank("lib/db")).toBeLessThan(rank("lib/queue"));
    expect(rank("lib/queue")).toBe(rank("lib/datasets"));
    expect(rank("lib/datasets")).toBeLessThan(rank("lib/runs"));
    expect(rank("lib/runs")).toBeLessThan(rank("lib/schedules"));
    expect(rank("lib/schedules")).toBeLessThan(rank("app"));
  });
});

describe("checkLayers on a made-up tree", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-layers-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const layers: Layer[] = [
    { folder: "lib/low", rank: 0, what: "" },
    { folder: "lib/mid", rank: 1, what: "" },
    { folder: "lib/mid/deep", rank: 3, what: "a more specific folder wins" },
    { folder: "app", rank: 2, what: "" },
    { folder: "workers", rank: 2, what: "" },
  ];
  /** Writes the files of a tree (path -> source) into a fresh folder and returns its path. */
  function tree(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(dir, "t-"));
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    return root;
  }

  it("allows imports down the table and within a folder, and packages", () => {
    const root = tree({
      "lib/low/a.ts": 'import { b } from "./b";\nimport fs from "node:fs";\nimport z from "zod";\n',
      "lib/low/b.ts": "export const b = 1;\n",
      "lib/mid/m.ts": 'import { b } from "../low/b";\n',
      "app/page.tsx": 'import { m } from "@/lib/mid/m";\nimport { b } from "../lib/low";\n',
      "eslint.config.mjs": 'import x from "./app/page";\n', // root files are configuration: not checked
    });
    expect(checkLayers(root, layers, [])).toEqual([]);
  });

  it("reports a back-edge with its file, line and specifier, for every kind of import", () => {
    const root = tree({
      "lib/low/a.ts": [
        'import { m } from "../mid/m";',
        'import type { T } from "../mid/types";',
        'export * from "../mid/again";',
        'const lazy = () => import("../mid/lazy");',
        'import { p } from "@/app/page";',
      ].join("\n"),
    });
    expect(checkLayers(root, layers, [])).toEqual([
      'lib/low/a.ts:1 imports "../mid/m": lib/low (rank 0) may not import lib/mid, a higher layer (rank 1).',
      'lib/low/a.ts:2 imports "../mid/types": lib/low (rank 0) may not import lib/mid, a higher layer (rank 1).',
      'lib/low/a.ts:3 imports "../mid/again": lib/low (rank 0) may not import lib/mid, a higher layer (rank 1).',
      'lib/low/a.ts:4 imports "../mid/lazy": lib/low (rank 0) may not import lib/mid, a higher layer (rank 1).',
      'lib/low/a.ts:5 imports "@/app/page": lib/low (rank 0) may not import app, a higher layer (rank 2).',
    ]);
  });

  it("forbids siblings of the same rank, and places a file in its most specific folder", () => {
    const root = tree({
      "app/x.ts": 'import { w } from "../workers/w";\n',
      "lib/mid/m.ts": 'import { d } from "./deep/d";\n',
    });
    expect(checkLayers(root, layers, [])).toEqual([
      'app/x.ts:1 imports "../workers/w": app (rank 2) may not import workers, a sibling of the same rank (rank 2).',
      'lib/mid/m.ts:1 imports "./deep/d": lib/mid (rank 1) may not import lib/mid/deep, a higher layer (rank 3).',
    ]);
    expect(layerOf("lib/mid/deep/d.ts", layers)?.folder).toBe("lib/mid/deep");
    expect(layerOf("lib/middle/x.ts", layers)).toBeNull(); // a prefix of the name is not the folder
  });

  it("accepts a listed exception, and asks for its removal once it is not needed", () => {
    const exception: Exception = { from: "lib/low", to: "lib/mid", why: "temporary" };
    const withEdge = tree({ "lib/low/a.ts": 'import { m } from "../mid/m";\n' });
    expect(checkLayers(withEdge, layers, [exception])).toEqual([]);
    const without = tree({ "lib/low/a.ts": "export const a = 1;\n" });
    expect(checkLayers(without, layers, [exception])).toEqual([
      "The exception lib/low -> lib/mid is no longer needed: remove it from EXCEPTIONS in scripts/layers.ts.",
    ]);
  });

  it("fails for a folder missing from the table, once per folder", () => {
    const root = tree({ "lib/queue/a.ts": "export const a = 1;\n", "lib/queue/b.ts": "export const b = 1;\n", "bench/x.ts": "" });
    expect(checkLayers(root, layers, [])).toEqual([
      "bench is not in the layer table: add a line for it to LAYERS in scripts/layers.ts.",
      "lib/queue is not in the layer table: add a line for it to LAYERS in scripts/layers.ts.",
    ]);
  });

  it("reads imports relative to the importing file and to the root for @/", () => {
    const root = tree({ "app/api/route.ts": 'import a from "../../lib/low/a";\nimport b from "@/lib/mid/m";\nimport c from "react";\n' });
    expect(importsOf(root, "app/api/route.ts").map((i) => [i.target, i.line])).toEqual([["lib/low/a", 1], ["lib/mid/m", 2]]);
  });
});
