import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, count, databasePerTest } from "../helpers/database";
import { importUpload } from "@/lib/imports/import";
import { requestRun } from "@/lib/runs/request";

/**
 * What an upload sets off, through importUpload (the one place the upload API's import thread and
 * `cli import` store new points): the stored forecasts scored on the new actual values, alerts
 * fired, "on new data" retrains queued, in the import's transaction; nothing of it for a dry run;
 * a scoring failure or a full run queue never costs the upload its points.
 */
const t = databasePerTest();
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const enc = new TextEncoder();

afterEach(() => {
  delete process.env.TIDECAST_MAX_QUEUED_PER_SERIES;
});

/** A daily CSV of `values` from day `from` on. */
const daily = (from: number, values: number[]) =>
  enc.encode(`date,sales\n` + values.map((v, i) => `${new Date(T0 + (from + i) * DAY).toISOString().slice(0, 10)},${v}`).join("\n") + "\n");

/** 40 days of a weekly pattern on a slow trend (a seasonal-naive MAE of about 0.7). */
const history = Array.from({ length: 40 }, (_, i) => 10 + ((i % 7) % 4) + 0.1 * i);

/** A stored forecast of days 40..42: 12 with 95% band 11..13 and 80% band 11.5..12.5. */
async function storedForecast(seriesId: number): Promise<number> {
  const f = (await t.db.get<{ id: number }>(`INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt") VALUES (?, NULL, 'gru', 3, '[80,95]', ?) RETURNING "id"`, [
    seriesId,
    new Date(),
  ]))!;
  for (let step = 1; step <= 3; step++) {
    await t.db.run(`INSERT INTO "ForecastPoint" ("forecastId", "step", "ts", "value", "lo80", "hi80", "lo95", "hi95") VALUES (?, ?, ?, 12, 11.5, 12.5, 11, 13)`, [
      f.id,
      step,
      T0 + (39 + step) * DAY,
    ]);
  }
  await t.db.run(`UPDATE "Series" SET "currentForecastId" = ? WHERE "id" = ?`, [f.id, seriesId]);
  return f.id;
}

async function onNewDataSchedule(seriesId: number): Promise<number> {
  const now = new Date();
  return (await t.db.get<{ id: number }>(
    `INSERT INTO "Schedule" ("seriesId", "cron", "timezone", "onNewData", "config", "enabled", "createdAt", "updatedAt") VALUES (?, NULL, 'UTC', TRUE, '{"epochs":2,"horizon":3}', TRUE, ?, ?) RETURNING "id"`,
    [seriesId, now, now],
  ))!.id;
}

const append = (values: number[], dryRun = false) => importUpload(t.db, daily(40, values), { fileName: "sales.csv", name: "sales", mode: "append", dryRun });

describe(`what an upload sets off, on ${TEST_DATABASE}`, () => {
  it("scores the stored forecasts on the new actuals and fires the drift alert in the import's transaction; a dry run scores and fires nothing", async () => {
    const first = await importUpload(t.db, daily(0, history), { fileName: "sales.csv" });
    const seriesId = first.series[0].id;
    const forecastId = await storedForecast(seriesId);
    const actuals = [20, 21, 22]; // far above the 95% band, three in a row (bandBreaks: 3)

    const preview = await append(actuals, true);
    expect(preview).toMatchObject({ dryRun: true, scored: [], events: [], retraining: [] });
    expect(preview.series[0]).toMatchObject({ inserted: 3, pointCount: 43 });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Point"`)).toBe(40);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "ForecastScore"`)).toBe(0);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "SeriesScore"`)).toBe(0);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Event"`)).toBe(0);

    const stored = await append(actuals);
    expect(stored.dryRun).toBe(false);
    expect(stored.scored).toEqual([{ seriesId, forecasts: 1, points: 3, status: "drifting", summary: expect.any(String) }]);
    expect(stored.events.map((e) => e.kind)).toContain("drift");
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Event"`)).toBe(stored.events.length);
    // By hand: errors 8, 9, 10; the seasonal-naive MAE (lag 7) of the 40 days up to the origin.
    let naive = 0;
    for (let i = 7; i < 40; i++) naive += Math.abs(history[i] - history[i - 7]);
    const scale = naive / 33;
    const score = await t.db.get<Record<string, number>>(`SELECT "points", "mae", "rmse", "bias", "coverage95", "mase" FROM "ForecastScore" WHERE "forecastId" = ?`, [forecastId]);
    expect(score!.points).toBe(3);
    expect(score!.mae).toBeCloseTo(9, 12);
    expect(score!.rmse).toBeCloseTo(Math.sqrt((64 + 81 + 100) / 3), 12);
    expect(score!.bias).toBeCloseTo(-9, 12);
    expect(score!.coverage95).toBe(0);
    expect(score!.mase).toBeCloseTo(9 / scale, 12);
  });

  it("keeps the upload and its retrain when the scoring fails, and says so in the warnings", async () => {
    const first = await importUpload(t.db, daily(0, history), { fileName: "sales.csv" });
    const seriesId = first.series[0].id;
    await storedForecast(seriesId);
    const scheduleId = await onNewDataSchedule(seriesId);
    // A stored rolling score that cannot be read: the scoring throws inside its savepoint.
    await t.db.run(`INSERT INTO "SeriesScore" ("seriesId", "window", "points", "outsideStreak", "drifting", "summary", "rolling", "updatedAt") VALUES (?, 24, 0, 0, FALSE, '', '{ not json', ?)`, [
      seriesId,
      new Date(),
    ]);
    const stored = await append([12, 12, 12]);
    expect(stored.scored).toEqual([]);
    expect(stored.warnings).toEqual([expect.stringMatching(/^Scoring the stored forecasts failed \(the change it followed is kept\): /)]);
    expect(stored.retraining).toEqual([{ scheduleId, runId: expect.any(Number), created: true }]);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Point" WHERE "seriesId" = ?`, [seriesId])).toBe(43);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "ForecastScore"`)).toBe(0);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run" WHERE "scheduleId" = ?`, [scheduleId])).toBe(1);
  });

  it("stores the upload when the run queue is full: the retrain on new data is skipped with a schedule.missed alert", async () => {
    process.env.TIDECAST_MAX_QUEUED_PER_SERIES = "1";
    const first = await importUpload(t.db, daily(0, history), { fileName: "sales.csv" });
    const seriesId = first.series[0].id;
    const scheduleId = await onNewDataSchedule(seriesId);
    expect((await requestRun(t.db, seriesId, { epochs: 1, horizon: 2 })).kind).toBe("created"); // the one place in the queue
    const stored = await append([12, 12, 12]);
    expect(stored.retraining).toEqual([]);
    expect(stored.series[0]).toMatchObject({ inserted: 3, pointCount: 43 });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Point" WHERE "seriesId" = ?`, [seriesId])).toBe(43);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run" WHERE "scheduleId" = ?`, [scheduleId])).toBe(0);
    const missed = await t.db.all<{ seriesId: number; message: string }>(`SELECT "seriesId", "message" FROM "Event" WHERE "kind" = 'schedule.missed'`);
    expect(missed).toEqual([
      {
        seriesId,
        message: expect.stringMatching(/the run queue was full \(1 runs queued or running, the limit per series, TIDECAST_MAX_QUEUED_PER_SERIES\), so the retrain on new data was skipped/),
      },
    ]);
    // A dry run of the same says nothing.
    await append([13, 13, 13], true);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Event"`)).toBe(1);
  });
});
