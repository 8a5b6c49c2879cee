/**
 * `npm run bench:scoring`: the costs issue 11 adds, on a fresh SQLite file.
 *   - the overview: a page of 50 series out of --series N (default 2000, each with --points
 *     daily points, a forecast, a score, some schedules and failed runs), for several sorts and a
 *     status filter: milliseconds per page and statements per page;
 *   - scoring: one series of 5,000 points with --forecasts stored forecasts (default 365, horizon
 *     14, one per day as a daily retrain would leave): milliseconds of scoreSeries, which runs in
 *     the transaction of every upload that touches the series and of every finished run.
 * Options: --series N, --points N, --forecasts N, --json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "../lib/db/migrate";
import { openDb } from "../lib/db/client";
import type { Db } from "../lib/db/types";
import { overviewPage } from "../lib/overview/overview";
import { overviewQuerySchema } from "../lib/overview/query";
import { scoreSeries } from "../lib/scoring/score";

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const SERIES = option("--series", 2000);
const POINTS = option("--points", 200);
const FORECASTS = option("--forecasts", 365);
const asJson = argv.includes("--json");
const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);

async function seedMany(db: Db): Promise<void> {
  const now = new Date();
  await db.transaction(async (tx) => {
    const ds = (await tx.get<{ id: number }>(`INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES ('many', 'many.csv', 'x', 'wide', 0, ?, ?) RETURNING "id"`, [now, now]))!;
    for (let i = 0; i < SERIES; i++) {
      const s = (await tx.get<{ id: number }>(
        `INSERT INTO "Series" ("datasetId", "name", "frequency", "stepMs", "pointCount", "firstTs", "lastTs", "createdAt", "updatedAt") VALUES (?, ?, 'daily', ?, ?, ?, ?, ?, ?) RETURNING "id"`,
        [ds.id, `series ${i}`, DAY, POINTS, T0, T0 + (POINTS - 1) * DAY, now, now],
      ))!;
      await tx.insertMany({
        table: "Point",
        columns: ["seriesId", "ts", "value"],
        values: [{ constant: s.id }, Array.from({ length: POINTS }, (_, k) => T0 + k * DAY), Array.from({ length: POINTS }, (_, k) => 100 + 10 * Math.sin(k / 7 + i))],
        rows: POINTS,
      });
      if (i % 5 === 0) continue; // never trained
      const run = (await tx.get<{ id: number }>(`INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt") VALUES (?, 'k', '{}', 'succeeded', ?) RETURNING "id"`, [s.id, now]))!;
      const f = (await tx.get<{ id: number }>(`INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt") VALUES (?, ?, 'gru', 14, '[80,95]', ?) RETURNING "id"`, [s.id, run.id, now]))!;
      await tx.insertMany({
        table: "ForecastPoint",
        columns: ["forecastId", "step", "ts", "value"],
        values: [{ constant: f.id }, Array.from({ length: 14 }, (_, k) => k + 1), Array.from({ length: 14 }, (_, k) => T0 + (POINTS + k) * DAY), Array.from({ length: 14 }, () => 100)],
        rows: 14,
      });
      await tx.run(`UPDATE "Series" SET "currentForecastId" = ? WHERE "id" = ?`, [f.id, s.id]);
      await tx.run(`INSERT INTO "SeriesScore" ("seriesId", "window", "points", "mase", "coverage95", "outsideStreak", "drifting", "summary", "rolling", "updatedAt") VALUES (?, 24, 10, ?, 0.9, 0, ?, '', '{}', ?)`, [
        s.id,
        (i % 97) / 50,
        i % 7 === 0,
        now,
      ]);
      if (i % 11 === 0) await tx.run(`INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt") VALUES (?, 'k2', '{}', 'failed', ?)`, [s.id, now]);
      if (i % 3 === 0) await tx.run(`INSERT INTO "Schedule" ("seriesId", "cron", "config", "nextRunAt", "createdAt", "updatedAt") VALUES (?, '0 6 * * *', '{}', ?, ?, ?)`, [s.id, new Date(now.getTime() + i * 60_000), now, now]);
    }
  });
}

/** One series with a daily retrain's worth of stored forecasts, most of them with actuals. */
async function seedHistory(db: Db): Promise<number> {
  const now = new Date();
  const n = 5000;
  return db.transaction(async (tx) => {
    const ds = (await tx.get<{ id: number }>(`INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES ('long', 'long.csv', 'x', 'wide', 0, ?, ?) RETURNING "id"`, [now, now]))!;
    const s = (await tx.get<{ id: number }>(`INSERT INTO "Series" ("datasetId", "name", "frequency", "stepMs", "pointCount", "createdAt", "updatedAt") VALUES (?, 'long', 'daily', ?, ?, ?, ?) RETURNING "id"`, [ds.id, DAY, n, now, now]))!;
    await tx.insertMany({
      table: "Point",
      columns: ["seriesId", "ts", "value"],
      values: [{ constant: s.id }, Array.from({ length: n }, (_, k) => T0 + k * DAY), Array.from({ length: n }, (_, k) => 100 + 10 * Math.sin(k / 7))],
      rows: n,
    });
    let last = 0;
    for (let j = 0; j < FORECASTS; j++) {
      const origin = T0 + (n - FORECASTS - 7 + j) * DAY;
      const run = (await tx.get<{ id: number }>(`INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt", "metrics") VALUES (?, 'k', '{}', 'succeeded', ?, '{"model":{"mase":0.8}}') RETURNING "id"`, [s.id, now]))!;
      const f = (await tx.get<{ id: number }>(`INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt") VALUES (?, ?, 'gru', 14, '[80,95]', ?) RETURNING "id"`, [s.id, run.id, now]))!;
      await tx.insertMany({
        table: "ForecastPoint",
        columns: ["forecastId", "step", "ts", "value", "lo80", "hi80", "lo95", "hi95"],
        values: [{ constant: f.id }, Array.from({ length: 14 }, (_, k) => k + 1), Array.from({ length: 14 }, (_, k) => origin + (k + 1) * DAY), Array(14).fill(100), Array(14).fill(95), Array(14).fill(105), Array(14).fill(90), Array(14).fill(110)],
        rows: 14,
      });
      last = f.id;
    }
    await tx.run(`UPDATE "Series" SET "currentForecastId" = ? WHERE "id" = ?`, [last, s.id]);
    return s.id;
  });
}

function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (prop === "all" || prop === "get" || prop === "run" || prop === "values") n++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: wrapped, count: () => n };
}

async function timed<T>(fn: () => Promise<T>, repeat = 5): Promise<{ ms: number; result: T }> {
  let result = await fn(); // warm the statement cache
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) result = await fn();
  return { ms: (performance.now() - t0) / repeat, result };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bench-scoring-"));
const url = `file:${path.join(dir, "bench.db")}`;
try {
  await applyMigrations(url);
  const db = openDb(url);
  const t0 = performance.now();
  await seedMany(db);
  const seriesId = await seedHistory(db);
  const seedS = (performance.now() - t0) / 1000;
  const rows: { what: string; ms: number; statements?: number }[] = [];
  for (const q of [{}, { sort: "mase", order: "desc" }, { sort: "next" }, { status: "drifting" }, { page: "20" }]) {
    const c = counting(db);
    const { ms } = await timed(() => overviewPage(c.db, overviewQuerySchema.parse(q)));
    rows.push({ what: `overview page of 50 of ${SERIES} series ${JSON.stringify(q)}`, ms, statements: c.count() / 6 });
  }
  const score = await timed(() => scoreSeries(db, seriesId), 3);
  rows.push({ what: `scoreSeries: 5,000 points, ${FORECASTS} forecasts (${score.result!.scoredPoints} scored dates)`, ms: score.ms });
  await db.close();
  if (asJson) for (const r of rows) console.log(JSON.stringify(r));
  else {
    console.log(`seeded in ${seedS.toFixed(1)} s`);
    for (const r of rows) console.log(`${r.ms.toFixed(1).padStart(8)} ms  ${r.statements !== undefined ? `${r.statements} statements  ` : ""}${r.what}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
