/**
 * `npm start`: applies migrations, builds the app if its sources changed since the last build,
 * then runs the web app (`next start`) and the worker side by side with prefixed logs. SIGINT or
 * SIGTERM is passed to both, and the launcher waits for them to finish (the worker lets a running
 * epoch end or puts its job back). `--web-only` (npm run web) leaves the worker out.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { migrateDeploy } from "../lib/db/migrate";
import { databaseUrl } from "../lib/db/url";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const args = new Set(process.argv.slice(2));
const webOnly = args.has("--web-only");
const port = process.env.PORT ?? "3000";
const env = { ...process.env, DATABASE_URL: databaseUrl(), NEXT_TELEMETRY_DISABLED: "1" };

function log(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

function runOrExit(command: string, commandArgs: string[], what: string): void {
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) {
    log(`${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

/** A fingerprint of everything `next build` reads: paths, sizes and modification times. */
function sourceStamp(): string {
  const hash = crypto.createHash("sha256");
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      if (rel.endsWith("generated") || rel.endsWith("node_modules")) return;
      for (const name of fs.readdirSync(abs).sort()) visit(path.join(rel, name));
    } else {
      hash.update(`${rel}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  for (const rel of ["app", "lib", "public", "proxy.ts", "next.config.ts", "package-lock.json", "tsconfig.json", "prisma/schema.prisma"]) visit(rel);
  return hash.digest("hex");
}

function buildIfNeeded(): void {
  const stampFile = path.join(root, ".next", "tidecast-build-stamp");
  const stamp = sourceStamp();
  const built = fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp;
  if (built) {
    log("The production build is up to date.");
    return;
  }
  log("Building the app (next build)…");
  runOrExit(bin("next"), ["build"], "next build");
  fs.writeFileSync(stampFile, stamp);
}

function prefixed(child: ChildProcess, name: string): void {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) out.write(line.startsWith(`[${name}]`) ? `${line}\n` : `[${name}] ${line}\n`);
    });
    stream?.on("end", () => pending && out.write(`[${name}] ${pending}\n`));
  }
}

function main(): void {
  log(`Database: ${env.DATABASE_URL}`);
  const migrated = migrateDeploy(root, env);
  if (!migrated.ok) {
    process.stderr.write(migrated.output);
    log("prisma migrate deploy failed.");
    process.exit(1);
  }
  if (!args.has("--no-build")) buildIfNeeded();

  const children = new Map<string, ChildProcess>();
  const start = (name: string, command: string, commandArgs: string[]) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    prefixed(child, name);
    children.set(name, child);
    child.on("exit", (code, signal) => {
      children.delete(name);
      if (!stopping) {
        log(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
        process.exitCode = 1;
        stop("SIGTERM");
      }
      if (children.size === 0) process.exit();
    });
  };

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`Stopping (${signal})…`);
    for (const child of children.values()) child.kill(signal);
    if (children.size === 0) process.exit();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  start("web", bin("next"), ["start", "-p", port]);
  if (!webOnly && fs.existsSync(path.join(root, "workers", "main.ts"))) {
    start("worker", bin("tsx"), [path.join("workers", "main.ts")]);
  }
  log(`Tidecast on http://localhost:${port}`);
}

main();
