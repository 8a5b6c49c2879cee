import { describe, expect, it } from "vitest";
import { databasePerTest } from "../helpers/database";
import { GET as overviewRoute } from "@/app/api/overview/route";
import type { Db } from "@/lib/db/types";
import { overviewPage, SPARKLINE_POINTS } from "@/lib/overview/overview";
import { overviewQuerySchema } from "@/lib/overview/query";

/**
 * The overview on a real database with hundreds of series: a page takes the same handful of
 * queries whatever its size (no query per series), and status, sorting, filtering, paging and
 * sparklines say what the rows hold.
 */
const t = databasePerTest();
const N = 130;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** A Db that counts the statements sent through it. */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      if (prop === "all" || prop === "get" || prop === "run" || prop === "values" || prop === "insertMany") {
        return (...args: unknown[]) => {
          n++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { db: wrapped, count: () => n };
}

type Kind = "never" | "failing" | "drifting" | "healthy";
const kindOf = (i: number): Kind => (["never", "failing", "drifting", "healthy"] as const)[i % 4];

/** N series of 60 daily points: every 4th never trained, failing, drifting or healthy; MASE i/100 where scored. */
async function seed(db: Db): Promise<number[]> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const ds = (await tx.get<{ id: number }>(
      `INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES ('many', 'many.csv', 'x', 'wide', 60, ?, ?) RETURNING "id"`,
      [now, now],
    ))!;
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const name = `s${String(i).padStart(3, "0")}`;
      const s = (await tx.get<{ id: number }>(
        `INSERT INTO "Series" ("datasetId", "name", "frequency", "stepMs", "pointCount", "firstTs", "lastTs", "createdAt", "updatedAt") VALUES (?, ?, 'daily', ?, 60, ?, ?, ?, ?) RETURNING "id"`,
        [ds.id, name, DAY, T0, T0 + 59 * DAY, now, now],
      ))!;
      ids.push(s.id);
      await tx.insertMany({
        table: "Point",
        columns: ["seriesId", "ts", "value"],
        values: [{ constant: s.id }, Array.from({ length: 60 }, (_, k) => T0 + k * DAY), Array.from({ length: 60 }, (_, k) => i * 1000 + k)],
        rows: 60,
      });
      const kind = kindOf(i);
      if (kind === "never") continue;
      const run = (await tx.get<{ id: number }>(
        `INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt", "finishedAt") VALUES (?, 'k', '{"epochs":1}', 'succeeded', ?, ?) RETURNING "id"`,
        [s.id, now, now],
      ))!;
      const f = (await tx.get<{ id: number }>(`INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt") VALUES (?, ?, 'gru', 2, '[80,95]', ?) RETURNING "id"`, [
        s.id,
        run.id,
        new Date(now.getTime() - i * 1000),
      ]))!;
      await tx.run(`INSERT INTO "ForecastPoint" ("forecastId", "step", "ts", "value") VALUES (?, 1, ?, 1), (?, 2, ?, 2)`, [f.id, T0 + 60 * DAY, f.id, T0 + 61 * DAY]);
      await tx.run(`UPDATE "Series" SET "currentForecastId" = ? WHERE "id" = ?`, [f.id, s.id]);
      await tx.run(
        `INSERT INTO "SeriesScore" ("seriesId", "window", "points", "mase", "coverage95", "outsideStreak", "drifting", "summary", "rolling", "updatedAt") VALUES (?, 24, 2, ?, 0.5, 0, ?, 'words', '{}', ?)`,
        [s.id, i / 100, kind === "drifting", now],
      );
      if (kind === "failing") await tx.run(`INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt") VALUES (?, 'k2', '{}', 'failed', ?)`, [s.id, now]);
      if (i % 10 === 3) {
        await tx.run(`INSERT INTO "Schedule" ("seriesId", "cron", "config", "nextRunAt", "createdAt", "updatedAt") VALUES (?, '0 6 * * *', '{}', ?, ?, ?)`, [
          s.id,
          new Date(Date.UTC(2030, 0, 1 + i)),
          now,
          now,
        ]);
      }
    }
    return ids;
  });
}

const query = (q: Record<string, string> = {}) => overviewQuerySchema.parse(q);

describe("the overview of every series", () => {
  it("pages through hundreds of series in a fixed handful of queries, not one per series", async () => {
    const ids = await seed(t.db);
    const small = counting(t.db);
    const p10 = await overviewPage(small.db, query({ pageSize: "10" }));
    const big = counting(t.db);
    const p50 = await overviewPage(big.db, query({ pageSize: "50" }));
    expect(p10.rows).toHaveLength(10);
    expect(p50.rows).toHaveLength(50);
    expect(big.count()).toBe(small.count());
    expect(big.count()).toBeLessThanOrEqual(7); // counts, page ids, their rows, sparklines, alerts, events, open alerts
    expect(p50).toMatchObject({ total: N, page: 1, pages: 3, sort: "status", order: "asc", counts: { failing: 33, drifting: 32, healthy: 32, never: 33 } });

    // Worst first: failing, then drifting, healthy, never trained; names in order within each.
    expect(p50.rows.slice(0, 33).every((r) => r.status === "failing")).toBe(true);
    expect(p50.rows.slice(33).every((r) => r.status === "drifting")).toBe(true);
    const last = await overviewPage(t.db, query({ page: "3", pageSize: "50" }));
    expect(last.rows).toHaveLength(30);
    expect(last.rows.every((r) => r.status === "never" || r.status === "healthy")).toBe(true);
    expect(last.rows[last.rows.length - 1]).toMatchObject({ status: "never", current: null, realised: null });

    // A row: its current model, forecast, realised accuracy, next run and sparkline.
    const i = 13; // failing (a run failed after the one that made its forecast); has a schedule
    const row = p50.rows.find((r) => r.id === ids[i])!;
    expect(row).toMatchObject({ name: "s013", status: "failing", current: { model: "gru", endTs: T0 + 61 * DAY }, realised: { mase: 0.13, coverage95: 0.5, points: 2 } });
    expect(row.nextRunAt).toBe(new Date(Date.UTC(2030, 0, 14)).toISOString());
    expect(row.sparkline).toHaveLength(SPARKLINE_POINTS);
    expect(row.sparkline).toEqual(Array.from({ length: SPARKLINE_POINTS }, (_, k) => i * 1000 + 60 - SPARKLINE_POINTS + k));
  });

  it("filters by status and name, sorts by realised accuracy with the unscored last, and refuses a bad query", async () => {
    await seed(t.db);
    const drifting = await overviewPage(t.db, query({ status: "drifting", sort: "mase", order: "desc", pageSize: "5" }));
    expect(drifting.total).toBe(32);
    expect(drifting.rows.map((r) => r.name)).toEqual(["s126", "s122", "s118", "s114", "s110"]);
    const two = await overviewPage(t.db, query({ status: "failing,never", q: "s00" }));
    expect(two.rows.map((r) => [r.name, r.status])).toEqual([
      ["s001", "failing"],
      ["s005", "failing"],
      ["s009", "failing"],
      ["s000", "never"],
      ["s004", "never"],
      ["s008", "never"],
    ]);
    const byMase = await overviewPage(t.db, query({ sort: "mase", pageSize: "200" }));
    const mases = byMase.rows.map((r) => r.realised?.mase ?? null);
    expect(mases.slice(0, 97).every((m) => m !== null)).toBe(true);
    expect(mases.slice(97).every((m) => m === null)).toBe(true); // never trained: no score, last
    for (let k = 1; k < 97; k++) expect(mases[k]!).toBeGreaterThanOrEqual(mases[k - 1]!);

    const res = await overviewRoute(new Request("http://localhost/api/overview?sort=colour"));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { field: string } } }).error.details.field).toBe("sort");
    expect((await overviewRoute(new Request("http://localhost/api/overview?status=drifting&pageSize=2"))).status).toBe(200);
    expect((await overviewRoute(new Request("http://localhost/api/overview?pageSize=100000"))).status).toBe(400);
  });
});
