/**
 * `npm run bench:queue`: throughput of the job queue with real worker processes.
 *
 * - no-op jobs claimed and finished per second with 1, 2, 4 and 8 worker processes, on SQLite
 *   (a WAL file) and on PostgreSQL (a throwaway local cluster with durable settings: fsync and
 *   synchronous commits on). The workers start idle; the jobs are queued in one transaction
 *   (which wakes them); the figure is jobs / (last finish − commit).
 * - small training runs (real engine: a GRU with 8 hidden units, 10 epochs, 120 points) per minute
 *   with 1 and 2 workers, on each database.
 * Target: at least 1,000 no-op jobs/s on PostgreSQL with 4 workers on the 2-core machine.
 * Options: --jobs N (default 4000), --runs N (default 8), --workers 1,2,4,8, --json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import type { Db } from "../lib/db/types";
import type { DatabaseKind } from "../lib/db/url";
import { enqueueJob } from "../lib/queue/enqueue";
import { requestRun } from "../lib/runs/request";
import { startPostgres, type PostgresServer } from "../scripts/postgres-server";

const root = path.resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const JOBS = Number(option("--jobs") ?? 4000);
const RUNS = Number(option("--runs") ?? 8);
const WORKERS = (option("--workers") ?? "1,2,4,8").split(",").map(Number);
const asJson = argv.includes("--json");

interface Figure {
  database: DatabaseKind;
  workload: "noop" | "train";
  workers: number;
  count: number;
  seconds: number;
  perSecond: number;
  perMinute: number;
}

function spawnWorkers(n: number, url: string, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench", "queue-worker.ts")], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url, TIDECAST_POLL_MS: "250", TIDECAST_SCHEDULER_MS: "3600000", TIDECAST_LEASE_MS: "60000", ...env },
        stdio: ["ignore", "pipe", "inherit"],
      });
      return new Promise<ChildProcess>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("READY")) resolve(child);
        });
        child.once("exit", (code) => reject(new Error(`bench worker exited (${code}) before READY:\n${out}`)));
      });
    }),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
}

async function untilDone(db: Db, sql: string, count: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await db.get<{ n: number }>(sql))!.n < count) {
    if (Date.now() > end) throw new Error(`timed out: ${sql}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh, migrated database of `kind` (a file, or a database on the cluster). */
async function freshDatabase(kind: DatabaseKind, server: PostgresServer | null, dir: string, name: string): Promise<string> {
  let url: string;
  if (kind === "sqlite") url = `file:${path.join(dir, `${name}.db`)}`;
  else {
    const admin = openDb(server!.url);
    await admin.run(`CREATE DATABASE "${name}"`);
    await admin.close();
    url = server!.urlOf(name);
  }
  await applyMigrations(url, root);
  return url;
}

async function noop(kind: DatabaseKind, server: PostgresServer | null, dir: string, workers: number): Promise<Figure> {
  const url = await freshDatabase(kind, server, dir, `noop_${workers}`);
  const db = openDb(url);
  const children = await spawnWorkers(workers, url, { TIDECAST_WORKER_CONCURRENCY: "16" });
  try {
    const committed = await db.transaction(async (tx) => {
      const now = new Date();
      for (let i = 0; i < JOBS; i++) await enqueueJob(tx, "bench.noop", null, { now });
      return now;
    });
    const start = Date.now() > committed.getTime() ? Date.now() : committed.getTime();
    await untilDone(db, `SELECT COUNT(*) AS "n" FROM "Job" WHERE "status" = 'succeeded'`, JOBS, 300_000);
    const last = (await db.get<{ at: Date }>(`SELECT MAX("updatedAt") AS "at" FROM "Job"`))!.at;
    const at = last instanceof Date ? last.getTime() : new Date(String(last)).getTime();
    const seconds = Math.max(0.001, (at - start) / 1000);
    return { database: kind, workload: "noop", workers, count: JOBS, seconds: +seconds.toFixed(2), perSecond: Math.round(JOBS / seconds), perMinute: Math.round((JOBS / seconds) * 60) };
  } finally {
    await stopWorkers(children);
    await db.close();
  }
}

async function seedSeries(db: Db): Promise<number> {
  const now = new Date();
  const day = 86_400_000;
  const t0 = Date.UTC(2015, 0, 1);
  const n = 120;
  const ds = (await db.get<{ id: number }>(`INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES ('bench', 'b.csv', 'x', 'long', ?, ?, ?) RETURNING "id"`, [n, now, now]))!;
  const s = (await db.get<{ id: number }>(
    `INSERT INTO "Series" ("datasetId", "name", "frequency", "stepMs", "pointCount", "firstTs", "lastTs", "createdAt", "updatedAt") VALUES (?, 'load', 'daily', ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    [ds.id, day, n, t0, t0 + (n - 1) * day, now, now],
  ))!;
  await db.insertMany({
    table: "Point",
    columns: ["seriesId", "ts", "value"],
    values: [{ constant: s.id }, Array.from({ length: n }, (_, i) => t0 + i * day), Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 7) + 0.1 * i)],
    rows: n,
  });
  return s.id;
}

async function training(kind: DatabaseKind, server: PostgresServer | null, dir: string, workers: number): Promise<Figure> {
  const url = await freshDatabase(kind, server, dir, `train_${workers}`);
  const db = openDb(url);
  const seriesId = await seedSeries(db);
  const children = await spawnWorkers(workers, url, { TIDECAST_WORKER_CONCURRENCY: "1" });
  try {
    const start = Date.now();
    for (let i = 0; i < RUNS; i++) await requestRun(db, seriesId, { model: "gru", hiddenSize: 8, epochs: 10, lookback: 14, horizon: 7, seed: i + 1 });
    await untilDone(db, `SELECT COUNT(*) AS "n" FROM "Run" WHERE "status" IN ('succeeded', 'failed')`, RUNS, 600_000);
    const failed = (await db.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Run" WHERE "status" = 'failed'`))!.n;
    if (failed > 0) throw new Error(`${failed} training runs failed`);
    const seconds = (Date.now() - start) / 1000;
    return { database: kind, workload: "train", workers, count: RUNS, seconds: +seconds.toFixed(1), perSecond: +(RUNS / seconds).toFixed(3), perMinute: +((RUNS / seconds) * 60).toFixed(1) };
  } finally {
    await stopWorkers(children);
    await db.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bench-queue-"));
  const server = await startPostgres({ unsafeFast: false });
  const figures: Figure[] = [];
  const report = (f: Figure) => {
    figures.push(f);
    if (asJson) console.log(JSON.stringify(f));
    else if (f.workload === "noop") console.error(`  ${f.database.padEnd(10)} no-op  ${String(f.workers).padStart(2)} workers  ${f.perSecond.toLocaleString("en-US").padStart(7)} jobs/s  (${f.count} in ${f.seconds} s)`);
    else console.error(`  ${f.database.padEnd(10)} train  ${String(f.workers).padStart(2)} workers  ${String(f.perMinute).padStart(7)} runs/min  (${f.count} in ${f.seconds} s)`);
  };
  try {
    console.error(`bench:queue on ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    for (const kind of ["sqlite", "postgresql"] as const) {
      for (const w of WORKERS) report(await noop(kind, server, dir, w));
      for (const w of [1, 2]) report(await training(kind, server, dir, w));
    }
  } finally {
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (asJson) return;
  const cell = (kind: DatabaseKind, workload: string, w: number) => {
    const f = figures.find((x) => x.database === kind && x.workload === workload && x.workers === w);
    return f ? (workload === "noop" ? `${f.perSecond.toLocaleString("en-US")}/s` : `${f.perMinute}/min`) : "—";
  };
  console.log(`| workload | workers | SQLite | PostgreSQL |\n|---|---|---|---|`);
  for (const w of WORKERS) console.log(`| no-op jobs | ${w} | ${cell("sqlite", "noop", w)} | ${cell("postgresql", "noop", w)} |`);
  for (const w of [1, 2]) console.log(`| training runs (GRU-8, 10 epochs) | ${w} | ${cell("sqlite", "train", w)} | ${cell("postgresql", "train", w)} |`);
  console.log(`(load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")})`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
