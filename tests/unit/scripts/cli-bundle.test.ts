import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain JavaScript (it runs before TypeScript can load), without type declarations
import { build, cacheDir, ensureBundle, freshBuild } from "../../../scripts/cli-bundle.mjs";

const BUNDLER = path.resolve(import.meta.dirname, "../../../scripts/cli-bundle.mjs");
/** A process that runs `launch` (what scripts/run-cli.mjs does) on the project at `dir`. */
const launch = (dir: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["--input-type=module", "-e", `import { launch } from ${JSON.stringify(pathToFileURL(BUNDLER).href)}; await launch(${JSON.stringify(dir)});`], { encoding: "utf8", env: { ...process.env, ...env } });

// The CLI's bundle cache (scripts/cli-bundle.mjs) on a small project of its own: the three entry
// points, one module the CLI imports, and the config files esbuild reads.
const roots: string[] = [];
/** A new small project; returns its folder. */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bundle-"));
  roots.push(dir);
  const put = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  put("package.json", '{ "type": "module" }\n');
  put("tsconfig.json", "{}\n");
  put("node_modules/.keep", "");
  put("scripts/cli.ts", 'import { text } from "./cli/message";\nconst shout = (s: string): string => s.toUpperCase();\nconsole.log(shout(text));\n');
  put("scripts/cli/message.ts", 'export const text: string = "one";\n');
  put("scripts/cli/forecast-worker.ts", "export {};\n");
  put("lib/nn/parallel-worker.ts", "export {};\n");
  return dir;
}
afterAll(() => roots.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const root = project();
const write = (file: string, text: string) => fs.writeFileSync(path.join(root, file), text);

const run = (dir: string) => spawnSync(process.execPath, [path.join(dir, "cli.js")], { encoding: "utf8" });
const builds = () => fs.readdirSync(cacheDir(root)).filter((f) => f !== "manifest.json");
/**
 * Rewrites a source. Its mtime is set explicitly, a moment before the next build starts, so that it
 * differs from the one recorded even on a file system with coarse timestamps.
 */
const edit = (file: string, text: string, at = Date.now() / 1000 - 2) => {
  write(file, text);
  fs.utimesSync(path.join(root, file), at, at);
};

describe("the CLI's bundle", () => {
  let first = "";

  it("is built on the first run and runs without tsx", async () => {
    expect(freshBuild(root)).toBeNull();
    first = await ensureBundle(root);
    const r = run(first);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ONE\n");
    for (const entry of ["cli.js", "forecast-worker.js", "parallel-worker.js"]) expect(fs.existsSync(path.join(first, entry)), entry).toBe(true);
  });

  it("is reused while its sources are unchanged", async () => {
    const marker = path.join(first, "marker");
    fs.writeFileSync(marker, "");
    expect(freshBuild(root)).toBe(first);
    expect(await ensureBundle(root)).toBe(first);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it("is rebuilt when a module it bundles changes, even to the same size", async () => {
    edit("scripts/cli/message.ts", 'export const text: string = "two";\n');
    expect(freshBuild(root)).toBeNull();
    const second = await ensureBundle(root);
    expect(second).not.toBe(first);
    expect(run(second).stdout).toBe("TWO\n");
    expect(freshBuild(root)).toBe(second);
  });

  it("is rebuilt when tsconfig.json changes", async () => {
    const before = freshBuild(root);
    edit("tsconfig.json", '{ "compilerOptions": {} }\n');
    expect(freshBuild(root)).toBeNull();
    const after = await ensureBundle(root);
    expect(after).not.toBe(before);
    expect(freshBuild(root)).toBe(after);
  });

  it("is not recorded as current when a source was edited while it was built", async () => {
    // An mtime at or after the build's start is what an edit during the build leaves.
    edit("scripts/cli/message.ts", 'export const text: string = "three";\n', Date.now() / 1000 + 60);
    const dir = await build(root);
    expect(run(dir).stdout).toBe("THREE\n");
    expect(freshBuild(root)).toBeNull();
    edit("scripts/cli/message.ts", 'export const text: string = "four";\n');
    expect(run(await ensureBundle(root)).stdout).toBe("FOUR\n");
  });

  it("survives two CLI processes building it at once: both get the same complete build, no temporary folder is left", async () => {
    edit("scripts/cli/message.ts", 'export const text: string = "five";\n');
    const [a, b] = await Promise.all([build(root), build(root)]);
    expect(a).toBe(b);
    expect(run(a).stdout).toBe("FIVE\n");
    expect(builds().filter((f) => f.startsWith("tmp-"))).toEqual([]);
    expect(freshBuild(root)).toBe(a);
  });

  it("fails on a syntax error without leaving a temporary folder, and does not pass off the last build as current", async () => {
    const last = freshBuild(root);
    expect(last).not.toBeNull();
    edit("scripts/cli/message.ts", 'export const text: string = "six;\n');
    await expect(ensureBundle(root)).rejects.toThrow(/Unterminated string/);
    expect(builds().filter((f) => f.startsWith("tmp-"))).toEqual([]);
    expect(freshBuild(root)).toBeNull();
    expect(fs.existsSync(path.join(last as string, "cli.js"))).toBe(true);
  });
});

describe("launching the CLI", () => {
  it("runs it from the bundle", () => {
    const dir = project();
    const r = launch(dir);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ONE\n");
    expect(freshBuild(dir)).not.toBeNull();
  });

  it("runs the sources through tsx, and says so, when the bundle cannot be written", () => {
    const dir = project();
    // A file where the cache folder would go: the bundle cannot be written there.
    fs.writeFileSync(path.join(dir, "node_modules", ".cache"), "");
    const r = launch(dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("ONE\n");
    expect(r.stderr).toMatch(/^note: running the CLI from its sources through tsx, .*bundle cannot be written to .*tidecast-cli/);
  });

  it("stops with exit code 1 and esbuild's error, naming file and line, when the sources do not compile", () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, "scripts", "cli", "message.ts"), 'export const text: string = "one;\n');
    const r = launch(dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("scripts/cli/message.ts:1:");
    expect(r.stderr).toContain("internal error: the CLI's sources do not compile");
  });

  it("maps an error's stack back to the TypeScript sources under TIDECAST_DEBUG=1 only", () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, "scripts", "cli", "message.ts"), 'export const text: string = "one";\nexport function fail(): never {\n  throw new Error("boom");\n}\n');
    fs.writeFileSync(path.join(dir, "scripts", "cli.ts"), 'import { fail } from "./cli/message";\nfail();\n');
    const plain = launch(dir, { TIDECAST_DEBUG: "0" });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toContain("boom");
    expect(plain.stderr).not.toContain("message.ts:3");
    const debug = launch(dir, { TIDECAST_DEBUG: "1" });
    expect(debug.stderr).toContain("boom");
    expect(debug.stderr).toMatch(/scripts\/cli\/message\.ts:3/);
  });
});
