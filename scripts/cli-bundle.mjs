// The CLI's bundle: `npm run cli` runs scripts/cli.ts and the worker threads it starts from one
// esbuild bundle, rebuilt only when a source file it was built from has changed. Running the
// TypeScript sources through tsx costs a forecast about 0.6 s of wall time and 1 s of CPU before
// the first step (tsx's loader thread, then a resolve and a transform per module), which is a
// quarter of a short series' whole forecast.
//
// Plain JavaScript on purpose: this runs before anything could load TypeScript.
//
// Layout, under node_modules/.cache/tidecast-cli/ (`npm ci` starts it afresh):
//   manifest.json   the current build: its folder and the size and mtime of every input
//   <key>/          one build: cli.js, forecast-worker.js, parallel-worker.js and shared chunks
// A build is written to a temporary folder and renamed into place, and the manifest is replaced
// by a rename, so CLI processes started together never load a half-written bundle. A build is
// recorded only when none of its inputs changed while it ran (an input edited during the build has
// an mtime at or after its start), so the next run rebuilds rather than trust it.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** The bundle's entry points, by output name: the CLI and the two kinds of worker thread it starts. */
export const ENTRY_POINTS = {
  cli: "scripts/cli.ts",
  "forecast-worker": "scripts/cli/forecast-worker.ts",
  "parallel-worker": "lib/nn/parallel-worker.ts",
};

/** Inputs esbuild reads that are not modules (its metafile lists only the modules). */
const CONFIG_FILES = ["tsconfig.json", "package.json"];

/** Builds older than this, other than the current one, are removed (a long `train` may still use one). */
const STALE_BUILD_MS = 60 * 60 * 1000;

/** @param {string} root */
export function cacheDir(root) {
  return path.join(root, "node_modules", ".cache", "tidecast-cli");
}

/**
 * @param {string} root
 * @param {string} file path relative to root
 * @returns {[number, number] | null} mtime in ms and size, or null when the file is gone
 */
function stamp(root, file) {
  try {
    const s = fs.statSync(path.join(root, file));
    return [s.mtimeMs, s.size];
  } catch {
    return null;
  }
}

/**
 * The current build's folder when every input is as it was built, else null.
 * @param {string} root
 * @returns {string | null}
 */
export function freshBuild(root) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(cacheDir(root), "manifest.json"), "utf8"));
  } catch {
    return null;
  }
  const dir = path.join(cacheDir(root), String(manifest.build));
  if (!fs.existsSync(path.join(dir, "cli.js"))) return null;
  for (const [file, recorded] of Object.entries(manifest.inputs ?? {})) {
    const now = stamp(root, file);
    if (!now || now[0] !== recorded[0] || now[1] !== recorded[1]) return null;
  }
  return dir;
}

/**
 * Bundles the CLI into a new build folder and makes it the current one; returns the folder.
 * @param {string} root
 * @returns {Promise<string>}
 */
export async function build(root) {
  const esbuild = await import("esbuild");
  const cache = cacheDir(root);
  fs.mkdirSync(cache, { recursive: true });
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(cache, "tmp-"));
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ENTRY_POINTS,
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: `node${process.versions.node.split(".")[0]}`,
      // Packages stay where npm put them (the bundle lives under node_modules, so they resolve).
      packages: "external",
      // Shared chunks sit beside the entries: lib/nn/parallel.ts finds its worker as ./parallel-worker.js.
      entryNames: "[name]",
      chunkNames: "[name]-[hash]",
      sourcemap: "linked",
      metafile: true,
      logLevel: "error",
    });
    fs.writeFileSync(path.join(tmp, "package.json"), '{ "type": "module" }\n');
    const files = [...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/")), ...CONFIG_FILES];
    /** @type {Record<string, [number, number]>} */
    const inputs = {};
    for (const f of files) {
      const s = stamp(root, f);
      if (s) inputs[f] = s;
    }
    const key = createHash("sha256").update(JSON.stringify([esbuild.version, process.version, inputs])).digest("hex").slice(0, 16);
    const dir = path.join(cache, key);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another CLI process built the same sources first: use its folder.
      if (!fs.existsSync(path.join(dir, "cli.js"))) throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const editedDuringBuild = Object.values(inputs).some(([mtime]) => mtime >= started);
    if (!editedDuringBuild) {
      const manifest = path.join(cache, `manifest-${process.pid}.json`);
      fs.writeFileSync(manifest, JSON.stringify({ build: key, inputs }));
      fs.renameSync(manifest, path.join(cache, "manifest.json"));
    }
    pruneBuilds(cache, key);
    return dir;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Removes builds other than `current` that have not been written for STALE_BUILD_MS.
 * @param {string} cache
 * @param {string} current
 */
function pruneBuilds(cache, current) {
  const now = Date.now();
  for (const entry of fs.readdirSync(cache, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current) continue;
    const dir = path.join(cache, entry.name);
    try {
      if (now - fs.statSync(dir).mtimeMs > STALE_BUILD_MS) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by another CLI process meanwhile.
    }
  }
}

/**
 * The folder of an up-to-date bundle of the CLI, built first when there is none.
 * @param {string} root the project folder
 * @returns {Promise<string>}
 */
export async function ensureBundle(root) {
  return freshBuild(root) ?? (await build(root));
}

/**
 * Runs the CLI of the project at `root` (its process.argv are the CLI's): from the bundle, or,
 * when the bundle cannot be written (a read-only node_modules, say), from the sources through tsx
 * after saying so. Sources esbuild cannot read end the run: tsx could not run them either.
 * @param {string} root
 */
export async function launch(root) {
  let dir;
  try {
    dir = await ensureBundle(root);
  } catch (e) {
    if (e && typeof e === "object" && Array.isArray(/** @type {{ errors?: unknown }} */ (e).errors)) {
      // esbuild has printed the errors, with file, line and column.
      process.stderr.write("internal error: the CLI's sources do not compile (see above)\n");
      process.exit(1);
    }
    process.stderr.write(`note: running the CLI from its sources through tsx, which starts slower: its bundle cannot be written to ${cacheDir(root)} (${e instanceof Error ? e.message : String(e)})\n`);
    const { register } = await import("tsx/esm/api");
    register();
    await import(pathToFileURL(path.join(root, ENTRY_POINTS.cli)).href);
    return;
  }
  // With TIDECAST_DEBUG=1 the CLI prints an internal error's stack: map it back to the TypeScript sources.
  if (process.env.TIDECAST_DEBUG === "1") process.setSourceMapsEnabled(true);
  await import(pathToFileURL(path.join(dir, "cli.js")).href);
}
