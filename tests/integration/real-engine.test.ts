import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, seedSeries, useDatabase } from "../helpers/database";
import { MAIN_ENTRY, spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { apiCancel, apiRun, ctx } from "./helpers/api";
import { POST as startRun } from "../../app/api/series/[id]/runs/route";
import { GET as getForecast } from "../../app/api/runs/[id]/forecast/route";
import type { Db } from "../../lib/db/types";
import type { RunView } from "../../lib/runs/views";
import type { ForecastView } from "../../lib/runs/forecasts";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

async function post(seriesId: number, body: unknown): Promise<{ status: number; run: RunView }> {
  const res = await startRun(new Request(`http://localhost/api/series/${seriesId}/runs`, { method: "POST", body: JSON.stringify(body) }), ctx(seriesId));
  return { status: res.status, run: ((await res.json()) as { run: RunView }).run };
}

const status = async (db: Db, runId: number) => (await db.get<{ status: string }>(`SELECT "status" FROM "Run" WHERE "id" = ?`, [runId]))!.status;
const epochsDone = async (db: Db, runId: number) => (await db.get<{ epochsDone: number }>(`SELECT "epochsDone" FROM "Run" WHERE "id" = ?`, [runId]))!.epochsDone;

describe(`the real engine (lib/forecast) end to end through the API and a worker process on ${TEST_DATABASE}`, () => {
  it("trains, stores one forecast with intervals, metrics and model, and shows the curve", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const seriesId = await seedSeries(db, "sine", 80);
    const created = await post(seriesId, { model: "auto", epochs: 3, hiddenSize: 4, horizon: 5 });
    expect(created.status).toBe(202);
    expect(created.run).toMatchObject({ status: "queued", seriesId });
    handles.push(await spawnWorker({ TEST_ENGINE: "real" }));
    await waitFor(async () => !["queued", "running"].includes(await status(db, created.run.id)), 60_000, "the run to finish");

    const run = await apiRun(created.run.id);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.isCurrent).toBe(true);
    expect(run.epochs!.length).toBe(run.progress.epochsDone);
    expect(run.epochs!.length).toBeGreaterThan(0);
    expect(run.epochs!.every((e) => Number.isFinite(e.trainLoss) && e.ms >= 0)).toBe(true);
    expect(run.metrics).toHaveProperty("model.smape");
    expect(run.metrics).toHaveProperty("chosen.model");
    expect((await db.get<{ n: number }>(`SELECT length("model") AS "n" FROM "Run" WHERE "id" = ?`, [run.id]))!.n).toBeGreaterThan(100);

    const res = await getForecast(new Request(`http://localhost/api/runs/${run.id}/forecast`), ctx(run.id));
    expect(res.status).toBe(200);
    const { forecast } = (await res.json()) as { forecast: ForecastView };
    expect(forecast).toMatchObject({ runId: run.id, seriesId, horizon: 5, levels: [80, 95], isCurrent: true });
    expect(forecast.points).toHaveLength(5);
    const lastTs = (await db.get<{ lastTs: number }>(`SELECT "lastTs" FROM "Series" WHERE "id" = ?`, [seriesId]))!.lastTs;
    expect(forecast.points.map((p) => p.ts)).toEqual([1, 2, 3, 4, 5].map((k) => lastTs + k * 86_400_000));
    for (const p of forecast.points) {
      expect(p.lo95!).toBeLessThanOrEqual(p.lo80!);
      expect(p.lo80!).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.hi80!);
      expect(p.hi80!).toBeLessThanOrEqual(p.hi95!);
    }
  });

  it("cancels a long real training within a few seconds", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const seriesId = await seedSeries(db, "sine", 200);
    const { run } = await post(seriesId, { model: "lstm", epochs: 2000, hiddenSize: 64, horizon: 7, batchSize: 1 });
    handles.push(await spawnWorker({ TEST_ENGINE: "real" }));
    await waitFor(async () => (await epochsDone(db, run.id)) >= 1, 60_000, "training to start");
    expect((await apiCancel(run.id)).status).toBe(202);
    await waitFor(async () => (await status(db, run.id)) === "cancelled", 10_000, "cancellation");
    expect((await apiRun(run.id)).job).toMatchObject({ status: "cancelled" });
  });

  it("npm run worker's entry (workers/main.ts) trains with the real engine and exits 0 on SIGINT", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const seriesId = await seedSeries(db, "sine", 60);
    const { run } = await post(seriesId, { model: "rnn", epochs: 2, hiddenSize: 4, horizon: 3 });
    const main = await spawnWorker({}, MAIN_ENTRY, /worker (\S+) started/);
    handles.push(main);
    await waitFor(async () => (await status(db, run.id)) === "succeeded", 60_000, "the run");
    main.kill("SIGINT");
    expect(await main.exited).toEqual({ code: 0, signal: null });
    expect(main.output()).toContain("stopped");
    expect((await apiRun(run.id)).forecastId).not.toBeNull();
  });
});
