/**
 * `npm start`: applies migrations, builds the app if its sources changed since the last build,
 * then runs the web app (`next start`) and the worker side by side with prefixed logs.
 *
 * - Where it listens: 127.0.0.1 unless HOST says otherwise; an address other machines can reach
 *   needs TIDECAST_PASSWORD, or it refuses to start. The log names the address once it answers.
 * - Supervision: a worker that dies is started again with a growing delay (1 s doubling to a
 *   minute, back to 1 s once it ran a minute); the web app keeps serving meanwhile. A web app that
 *   dies after it answered is restarted the same way; one that cannot start at all (port taken)
 *   stops everything. Jobs live in the database: a stopped worker puts its jobs back, and a
 *   killed one's jobs are claimed again when their lease runs out.
 * - SIGINT or SIGTERM is passed to both, and the launcher waits for them to finish (the worker
 *   lets a running epoch end or puts its job back). Run by npm, it stops the same way when npm
 *   goes (see parent-watch.ts). `--web-only` (npm run web) leaves the worker
 *   out; `--no-build` skips the build check.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { migrateDeploy } from "../lib/db/migrate";
import { databaseFile, databaseKind, databaseUrl, redactUrl } from "../lib/db/url";
import { DEFAULT_HOST, ensureServerSecret, isLoopbackHost, isWildcardHost } from "../lib/auth/settings";
import { onParentExit } from "./parent-watch";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const args = new Set(process.argv.slice(2));
const webOnly = args.has("--web-only");
const port = process.env.PORT ?? "3000";
const host = process.env.HOST?.trim() || DEFAULT_HOST;
const databaseUrlOfApp = databaseUrl();
const env: NodeJS.ProcessEnv = { ...process.env, HOST: host, DATABASE_URL: databaseUrlOfApp, NEXT_TELEMETRY_DISABLED: "1" };

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

/** The URL people open: the address itself, or this machine's first LAN address for 0.0.0.0 / ::. */
function publicUrl(): string {
  const fmt = (h: string) => (h.includes(":") ? `[${h}]` : h);
  if (!isWildcardHost(host)) return `http://${fmt(host)}:${port}`;
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === "IPv4");
  return `http://${lan ? lan.address : "127.0.0.1"}:${port} (all interfaces, ${fmt(host)}:${port})`;
}

/** Resolves true once something accepts connections on the app's port, false if `alive()` turns false first. */
async function waitForPort(alive: () => boolean): Promise<boolean> {
  const target = isWildcardHost(host) ? "127.0.0.1" : host.replace(/^\[|\]$/g, "");
  while (alive()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: target, port: Number(port) });
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const MIN_RESTART_MS = 1000;
const MAX_RESTART_MS = 60_000;
/** A child that ran this long before dying starts over from the shortest delay. */
const HEALTHY_MS = 60_000;

interface Supervised {
  name: string;
  command: string;
  args: string[];
  /** the web app: restarted only after it once answered; if it never does, everything stops */
  mustListen: boolean;
}

async function main(): Promise<void> {
  if (!isLoopbackHost(host) && !process.env.TIDECAST_PASSWORD) {
    process.stderr.write(
      `[start] Refusing to listen on ${host} without a password: set one, e.g. TIDECAST_PASSWORD='a long passphrase' HOST=${host} npm start (or leave HOST unset to serve only this machine).\n`,
    );
    process.exit(2);
  }
  log(`Database: ${redactUrl(databaseUrlOfApp)}`);
  const migrated = await migrateDeploy(root, env);
  if (!migrated.ok) {
    process.stderr.write(migrated.output);
    log("prisma migrate deploy failed.");
    process.exit(1);
  }
  // Beside a SQLite file; in data/ for a PostgreSQL server.
  const secretDir = databaseKind(databaseUrlOfApp) === "sqlite" ? path.dirname(databaseFile(databaseUrlOfApp)) : path.join(root, "data");
  env.TIDECAST_SECRET = ensureServerSecret(secretDir, env);
  if (!args.has("--no-build")) buildIfNeeded();

  const children = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const finishIfDone = () => {
    if (stopping && children.size === 0) process.exit();
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`Stopping (${signal})…`);
    for (const t of timers) clearTimeout(t);
    for (const child of children.values()) child.kill(signal);
    finishIfDone();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  if (process.env.npm_lifecycle_event) onParentExit(() => stop("SIGTERM"));

  const supervise = (spec: Supervised) => {
    let delay = MIN_RESTART_MS;
    let everListened = false;
    const launch = () => {
      if (stopping) return;
      const startedAt = Date.now();
      const child = spawn(spec.command, spec.args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
      prefixed(child, spec.name);
      children.set(spec.name, child);
      let exited = false;
      if (spec.mustListen) {
        void waitForPort(() => !exited && !stopping).then((up) => {
          if (!up) return;
          everListened = true;
          log(`Tidecast on ${publicUrl()}`);
        });
      }
      child.on("exit", (code, signal) => {
        exited = true;
        children.delete(spec.name);
        if (stopping) return finishIfDone();
        const how = signal ?? `code ${code}`;
        if (spec.mustListen && !everListened) {
          log(`${spec.name} exited before it answered on port ${port} (${how}); stopping.`);
          process.exitCode = 1;
          return stop("SIGTERM");
        }
        if (Date.now() - startedAt >= HEALTHY_MS) delay = MIN_RESTART_MS;
        log(`${spec.name} exited unexpectedly (${how}); starting it again in ${Math.round(delay / 1000)} s.`);
        const timer = setTimeout(() => {
          timers.delete(timer);
          launch();
        }, delay);
        timers.add(timer);
        delay = Math.min(MAX_RESTART_MS, delay * 2);
      });
    };
    launch();
  };

  supervise({ name: "web", command: bin("next"), args: ["start", "-H", host, "-p", port], mustListen: true });
  if (!webOnly && fs.existsSync(path.join(root, "workers", "main.ts"))) {
    // node --import tsx, not the tsx CLI: the CLI relays a signal to its child and SIGKILLs it when
    // the child has not confirmed within 30 ms (easily missed on a loaded machine), which would cut
    // the worker's graceful shutdown short. This way the worker gets its signals itself.
    supervise({ name: "worker", command: process.execPath, args: ["--import", "tsx", path.join("workers", "main.ts")], mustListen: false });
  }
}

void main();
