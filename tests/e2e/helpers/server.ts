import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A real Tidecast server for a spec: `scripts/start.ts --no-build --web-only` (the production
 * build Playwright's webServer made, so the test run builds once) on a free port, with its own
 * database file. Stop it in afterAll; it is also killed if the spec's process exits.
 */
export const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface TestServer {
  url: string;
  port: number;
  databaseUrl: string;
  dir: string;
  launcher: ChildProcess;
  output(): string;
  /** pid of the next-server process (what serves requests) */
  webPid(): number;
  cli(args: string[]): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function children(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const list = fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const c of list ? list.split(/\s+/).map(Number) : []) out.push(c, ...children(c));
    }
    return out;
  } catch {
    return [];
  }
}

/** Resident memory of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Processes under the launcher whose command line contains `needle`. */
export function descendants(root: number, needle: string): number[] {
  return children(root).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").join(" ").includes(needle);
    } catch {
      return false;
    }
  });
}

export async function startServer(env: Record<string, string>, options: { worker?: boolean } = {}): Promise<TestServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-e2e-"));
  const databaseUrl = `file:${path.join(dir, "app.db")}`;
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1", ...env };
  for (const [k, v] of Object.entries(env)) if (v === "") delete fullEnv[k];
  const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", "--no-build", ...(options.worker ? [] : ["--web-only"])], { cwd: ROOT, env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  launcher.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  launcher.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => launcher.once("exit", () => resolve()));
  const killOnExit = () => launcher.kill("SIGKILL");
  process.once("exit", killOnExit);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      if (/Tidecast on http/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    launcher.stdout!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before it answered:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    databaseUrl,
    dir,
    launcher,
    output: () => out,
    webPid: () => {
      const pid = children(launcher.pid!).find((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("next-server");
        } catch {
          return false;
        }
      });
      if (!pid) throw new Error("no next-server process");
      return pid;
    },
    cli: (args) => {
      const r = spawnSync(process.execPath, ["scripts/run-cli.mjs", ...args], { cwd: ROOT, env: fullEnv, encoding: "utf8", timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    stop: async () => {
      process.removeListener("exit", killOnExit);
      if (launcher.exitCode === null && launcher.signalCode === null) {
        const tree = children(launcher.pid!);
        launcher.kill("SIGTERM");
        const timer = setTimeout(() => {
          for (const p of [launcher.pid!, ...tree]) {
            try {
              process.kill(p, "SIGKILL");
            } catch {
              // already gone
            }
          }
        }, 15_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
