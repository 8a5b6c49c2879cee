import { beforeEach, describe, expect, it } from "vitest";
import { ctx, multipart, useTempDatabase, type Json } from "../api/helpers";

// The export routes against a real, migrated database.
await useTempDatabase();
const datasets = await import("@/app/api/datasets/route");
const seriesCsv = await import("@/app/api/series/[id]/forecast.csv/route");
const seriesJson = await import("@/app/api/series/[id]/forecast.json/route");
const datasetCsv = await import("@/app/api/datasets/[id]/forecast.csv/route");
const datasetJson = await import("@/app/api/datasets/[id]/forecast.json/route");
const { db: sharedDb } = await import("@/lib/db/client");


const DAY = 86_400_000;
const jan = Date.UTC(2024, 0, 1);

async function upload(name: string, csv: string): Promise<{ datasetId: number; series: Record<string, number> }> {
  const res = await datasets.POST(multipart(name, csv));
  expect(res.status).toBe(201);
  const body = (await res.json()) as Json;
  return { datasetId: body.dataset.id, series: Object.fromEntries(body.series.map((s: Json) => [s.name, s.id])) };
}

/** A succeeded run with a 3-step forecast (as the worker writes it); optionally the series' current one. */
async function addForecast(seriesId: number, opts: { base: number; current: boolean; created: string; model?: string }): Promise<{ runId: number; forecastId: number }> {
  const db = sharedDb();
  const created = new Date(opts.created);
  const { id: runId } = (await db.get<{ id: number }>(
    `INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt") VALUES (?, '{}', '{}', 'succeeded', ?) RETURNING "id"`,
    [seriesId, created],
  ))!;
  const { id: forecastId } = (await db.get<{ id: number }>(
    `INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt") VALUES (?, ?, ?, 3, '[80,95]', ?) RETURNING "id"`,
    [seriesId, runId, opts.model ?? "lstm", created],
  ))!;
  for (let step = 1; step <= 3; step++) {
    const v = opts.base + step;
    await db.run(`INSERT INTO "ForecastPoint" ("forecastId", "step", "ts", "value", "lo80", "hi80", "lo95", "hi95") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      forecastId,
      step,
      jan + (4 + step) * DAY,
      v,
      v - 1,
      v + 1,
      v - 2,
      v + 2,
    ]);
  }
  if (opts.current) await db.run(`UPDATE "Series" SET "currentForecastId" = ? WHERE "id" = ?`, [forecastId, seriesId]);
  return { runId, forecastId };
}

const get = (path: string) => new Request(`http://localhost${path}`);
const CSV = "date,A,B\n2024-01-01,1,-1\n2024-01-02,2,-2\n2024-01-03,3,-3\n2024-01-04,4,-4\n2024-01-05,5,-5\n";

beforeEach(async () => {
  await sharedDb().run('DELETE FROM "Dataset"');
});

describe("GET /api/series/{id}/forecast.csv and .json", () => {
  it("exports the current forecast with the documented columns, ISO dates and a file name", async () => {
    const { series } = await upload("shop", CSV);
    await addForecast(series.A, { base: -10, current: false, created: "2024-02-01T00:00:00.000+00:00" });
    const { runId } = await addForecast(series.A, { base: 100, current: true, created: "2024-02-02T08:30:00.000+00:00" });
    const res = await seriesCsv.GET(get(`/api/series/${series.A}/forecast.csv`), ctx(series.A));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="A-run-${runId}-forecast.csv"`);
    expect((await res.text()).split("\n")).toEqual([
      "series,date,step,forecast,lo80,hi80,lo95,hi95,model,run,created",
      `A,2024-01-06,1,101,100,102,99,103,lstm,${runId},2024-02-02T08:30:00.000Z`,
      `A,2024-01-07,2,102,101,103,100,104,lstm,${runId},2024-02-02T08:30:00.000Z`,
      `A,2024-01-08,3,103,102,104,101,105,lstm,${runId},2024-02-02T08:30:00.000Z`,
      "",
    ]);
  });

  it("exports a given run with ?run=, negative values as numbers", async () => {
    const { series } = await upload("shop", CSV);
    const older = await addForecast(series.A, { base: -10, current: false, created: "2024-02-01T00:00:00.000+00:00" });
    await addForecast(series.A, { base: 100, current: true, created: "2024-02-02T00:00:00.000+00:00" });
    const res = await seriesCsv.GET(get(`/api/series/${series.A}/forecast.csv?run=${older.runId}`), ctx(series.A));
    expect(res.status).toBe(200);
    const rows = (await res.text()).trim().split("\n").slice(1);
    expect(rows[0]).toBe(`A,2024-01-06,1,-9,-10,-8,-11,-7,lstm,${older.runId},2024-02-01T00:00:00.000Z`);
  });

  it("answers JSON with the same rows", async () => {
    const { series } = await upload("shop", CSV);
    const { runId, forecastId } = await addForecast(series.B, { base: 5, current: true, created: "2024-03-01T00:00:00.000+00:00", model: "gru" });
    const res = await seriesJson.GET(get(`/api/series/${series.B}/forecast.json`), ctx(series.B));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="B-run-${runId}-forecast.json"`);
    const body = (await res.json()) as Json;
    expect(body.columns).toEqual(["series", "date", "step", "forecast", "lo80", "hi80", "lo95", "hi95", "model", "run", "created"]);
    expect(body.forecasts).toEqual([{ seriesId: series.B, series: "B", forecastId, model: "gru", run: runId, created: "2024-03-01T00:00:00.000Z", horizon: 3 }]);
    expect(body.rows[2]).toEqual({ series: "B", date: "2024-01-08", step: 3, forecast: 8, lo80: 7, hi80: 9, lo95: 6, hi95: 10, model: "gru", run: runId, created: "2024-03-01T00:00:00.000Z" });
  });

  it("falls back to the newest forecast when the series points at none", async () => {
    const { series } = await upload("shop", CSV);
    await addForecast(series.A, { base: 1, current: false, created: "2024-02-01T00:00:00.000+00:00" });
    const newest = await addForecast(series.A, { base: 2, current: false, created: "2024-02-03T00:00:00.000+00:00" });
    const body = (await (await seriesJson.GET(get(`/api/series/${series.A}/forecast.json`), ctx(series.A))).json()) as Json;
    expect(body.rows[0].run).toBe(newest.runId);
  });

  it("neutralises a series name a spreadsheet would run", async () => {
    const { series } = await upload("evil", 'date,"=HYPERLINK(""x"")"\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,4\n');
    const id = Object.values(series)[0];
    await addForecast(id, { base: 0, current: true, created: "2024-02-01T00:00:00.000+00:00" });
    const text = await (await seriesCsv.GET(get(`/api/series/${id}/forecast.csv`), ctx(id))).text();
    expect(text.split("\n")[1].startsWith(`"'=HYPERLINK(""x"")",2024-01-06,1,1,`)).toBe(true);
  });

  it("answers 400 for a bad id or run, 404 for an unknown series or run, or no forecast yet", async () => {
    const { series } = await upload("shop", CSV);
    const other = await addForecast(series.B, { base: 0, current: true, created: "2024-02-01T00:00:00.000+00:00" });
    const call = async (path: string, id: string | number) => {
      const res = await seriesCsv.GET(get(path), ctx(id));
      return { status: res.status, error: ((await res.json()) as Json).error };
    };
    expect(await call("/api/series/abc/forecast.csv", "abc")).toMatchObject({ status: 400, error: { code: "INVALID_ID" } });
    expect(await call(`/api/series/${series.A}/forecast.csv?run=-1`, series.A)).toMatchObject({ status: 400, error: { code: "INVALID_QUERY", details: { param: "run" } } });
    expect(await call("/api/series/999999/forecast.csv", 999999)).toMatchObject({ status: 404, error: { code: "NOT_FOUND" } });
    const none = await call(`/api/series/${series.A}/forecast.csv`, series.A);
    expect(none).toMatchObject({ status: 404, error: { code: "NO_FORECAST" } });
    expect(none.error.message).toContain("train a model first");
    // a run of another series is not this series' run
    expect(await call(`/api/series/${series.A}/forecast.csv?run=${other.runId}`, series.A)).toMatchObject({ status: 404, error: { code: "RUN_NOT_FOUND" } });
    // a run without a forecast yet (still running) says so
    const { id: running } = (await sharedDb().get<{ id: number }>(
      `INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "createdAt") VALUES (?, '{}', '{}', 'running', ?) RETURNING "id"`,
      [series.A, new Date()],
    ))!;
    const r = await call(`/api/series/${series.A}/forecast.csv?run=${running}`, series.A);
    expect(r).toMatchObject({ status: 404, error: { code: "NO_FORECAST", details: { status: "running" } } });
  });
});

describe("GET /api/datasets/{id}/forecast.csv and .json", () => {
  it("exports every series' current forecast in one file, and lists the series without one", async () => {
    const { datasetId, series } = await upload("shop", CSV);
    const a = await addForecast(series.A, { base: 10, current: true, created: "2024-02-01T00:00:00.000+00:00" });
    const csvRes = await datasetCsv.GET(get(`/api/datasets/${datasetId}/forecast.csv`), ctx(datasetId));
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get("content-disposition")).toBe('attachment; filename="shop-forecast.csv"');
    const lines = (await csvRes.text()).trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.startsWith("A,") && l.includes(`,lstm,${a.runId},`))).toBe(true);

    const b = await addForecast(series.B, { base: 20, current: true, created: "2024-02-02T00:00:00.000+00:00" });
    const body = (await (await datasetJson.GET(get(`/api/datasets/${datasetId}/forecast.json`), ctx(datasetId))).json()) as Json;
    expect(body.dataset).toEqual({ id: datasetId, name: "shop" });
    expect(body.withoutForecast).toEqual([]);
    expect(body.rows.map((r: Json) => `${r.series}${r.step}`)).toEqual(["A1", "A2", "A3", "B1", "B2", "B3"]);
    expect(body.rows[3].run).toBe(b.runId);
  });

  it("answers 400, 404 and NO_FORECAST like the series export", async () => {
    const { datasetId } = await upload("shop", CSV);
    const status = async (path: string, id: string | number) => {
      const res = await datasetCsv.GET(get(path), ctx(id));
      return [res.status, ((await res.json()) as Json).error.code];
    };
    expect(await status("/api/datasets/0/forecast.csv", "0")).toEqual([400, "INVALID_ID"]);
    expect(await status(`/api/datasets/${datasetId}/forecast.csv?run=1`, datasetId)).toEqual([400, "INVALID_QUERY"]);
    expect(await status("/api/datasets/424242/forecast.csv", 424242)).toEqual([404, "NOT_FOUND"]);
    expect(await status(`/api/datasets/${datasetId}/forecast.csv`, datasetId)).toEqual([404, "NO_FORECAST"]);
  });
});
