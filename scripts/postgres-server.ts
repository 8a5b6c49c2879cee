import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` in a temp folder, `pg_ctl` on
 * a free port, trust authentication, stopped (and its folder removed) by `stop()` — which also
 * runs when the process exits without calling it. PostgreSQL refuses to run as root, so as root
 * the cluster runs as the `postgres` user (Debian's package creates it) through runuser.
 */
export interface PostgresServer {
  /** postgresql://postgres@host:port/postgres */
  url: string;
  host: string;
  port: number;
  dir: string;
  /** The URL of another database on this server. */
  urlOf(database: string): string;
  stop(): void;
}

export interface StartOptions {
  /** listen_addresses (default 127.0.0.1). */
  listen?: string;
  /** The host the URL names (default: the first listen address). */
  host?: string;
  port?: number;
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string | number>;
  /** A line for pg_hba.conf besides local trust (e.g. "host all all 10.77.0.0/16 trust"). */
  hba?: string[];
  /** Throwaway data: no fsync (the default for tests; benchmarks pass false). */
  unsafeFast?: boolean;
  /** Run the server inside this network namespace (ip netns exec). */
  netns?: string;
}

export function postgresBinDir(): string | null {
  const explicit = process.env.PG_BIN;
  if (explicit && fs.existsSync(path.join(explicit, "initdb"))) return explicit;
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(base, versions[0], "bin") : null;
}

export const POSTGRES_MISSING =
  "PostgreSQL's server binaries (initdb, pg_ctl) were not found. Install them with `sudo apt-get install postgresql` " +
  "(npm test does this itself when it runs as root), set PG_BIN to their folder, or set TIDECAST_TEST_POSTGRES_URL " +
  "to a server where the user may create databases.";

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the cluster's owner (the postgres user when we are root). */
function asOwner(bin: string, args: string[], netns?: string): { status: number | null; output: string } {
  let command = bin;
  let argv = args;
  if (isRoot()) {
    argv = ["-u", "postgres", "--", command, ...argv];
    command = "runuser";
  }
  if (netns) {
    argv = ["netns", "exec", netns, command, ...argv];
    command = "ip";
  }
  const r = spawnSync(command, argv, { encoding: "utf8", cwd: os.tmpdir() });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-pg-"));
  fs.chmodSync(dir, 0o755);
  if (isRoot()) execFileSync("chown", ["postgres:", dir]);
  const data = path.join(dir, "data");
  const init = asOwner(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${init.output}`);
  }
  const listen = options.listen ?? "127.0.0.1";
  const host = options.host ?? listen.split(",")[0].trim();
  const fast = options.unsafeFast ?? true;
  const settings: Record<string, string | number> = {
    listen_addresses: `'${listen}'`,
    unix_socket_directories: `'${dir}'`,
    max_connections: 300,
    shared_buffers: "'128MB'",
    ...(fast ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
    ...options.settings,
  };
  const conf = Object.entries(settings)
    .map(([k, v]) => `${k} = ${v}`)
    .join("\n");
  fs.appendFileSync(path.join(data, "postgresql.conf"), `\n# tidecast test cluster\n${conf}\n`);
  if (options.hba?.length) fs.appendFileSync(path.join(data, "pg_hba.conf"), `\n${options.hba.join("\n")}\n`);

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", stop);
    asOwner(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);

  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort(host === "localhost" ? "127.0.0.1" : host).catch(() => freePort()));
    const started = asOwner(path.join(bin, "pg_ctl"), ["-D", data, "-o", `-p ${port}`, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start"], options.netns);
    if (started.status === 0) {
      const url = (database: string) => `postgresql://postgres@${host}:${port}/${database}`;
      return { url: url("postgres"), host, port, dir, urlOf: url, stop };
    }
    // Another process may have taken the port between our probe and the server's bind: try another.
    if (attempt >= 3 || options.port) {
      const log = fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8") : "";
      stop();
      throw new Error(`pg_ctl start failed:\n${started.output}\n${log}`);
    }
  }
}
