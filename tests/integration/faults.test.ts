import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, seedSeries, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { apiCancel, apiRun } from "./helpers/api";
import { db as sharedDb } from "../../lib/db/client";
import type { Db, SqlValue } from "../../lib/db/types";
import { requestRun } from "../../lib/runs/request";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

async function worker(env: Record<string, string> = {}): Promise<WorkerHandle> {
  const h = await spawnWorker(env);
  handles.push(h);
  return h;
}

async function setup(): Promise<{ db: Db; dir: string; seriesId: number }> {
  const t = await useDatabase();
  const db = t.connect();
  return { db, dir: t.dir, seriesId: await seedSeries(db) };
}

async function queue(seriesId: number, config: Record<string, number>): Promise<number> {
  const r = await requestRun(sharedDb(), seriesId, { horizon: 5, ...config });
  if (r.kind !== "created") throw new Error(`run not created: ${r.kind}`);
  return r.run.id;
}

const runRow = async (db: Db, id: number) =>
  (await db.get<{ status: string; attempt: number; epochsDone: number; error: string | null; metrics: string | null; model: Buffer | null }>(
    `SELECT "status", "attempt", "epochsDone", "error", "metrics", "model" FROM "Run" WHERE "id" = ?`,
    [id],
  ))!;
const jobOf = async (db: Db, runId: number) =>
  (await db.get<{ status: string; attempts: number; lastError: string | null; lockedBy: string | null }>(
    `SELECT j."status", j."attempts", j."lastError", j."lockedBy" FROM "Job" j JOIN "Run" r ON r."jobId" = j."id" WHERE r."id" = ?`,
    [runId],
  ))!;
const count = async (db: Db, sql: string, ...args: SqlValue[]) => (await db.get<{ n: number }>(sql, args))!.n;

describe(`fault tolerance of training runs (real worker processes) on ${TEST_DATABASE}`, () => {
  it("a worker SIGKILLed mid-training: another finishes the run after the lease expires, one forecast, a clean curve", async () => {
    const { db, seriesId } = await setup();
    const runId = await queue(seriesId, { epochs: 30 });
    const a = await worker({ FAKE_EPOCH_MS: "100", TIDECAST_LEASE_MS: "1500", TIDECAST_HEARTBEAT_MS: "300" });
    await waitFor(async () => (await runRow(db, runId)).epochsDone >= 4, 20_000, "epochs of attempt 1");
    a.kill("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    const deadEpochs = await count(db, `SELECT COUNT(*) AS "n" FROM "Epoch" WHERE "runId" = ? AND "attempt" = 1`, runId);
    expect(deadEpochs).toBeGreaterThanOrEqual(4);
    expect(await runRow(db, runId)).toMatchObject({ status: "running", attempt: 1 });

    await worker({ FAKE_EPOCH_MS: "10", TIDECAST_LEASE_MS: "1500", TIDECAST_HEARTBEAT_MS: "300" });
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 30_000, "the run to succeed");

    expect(await runRow(db, runId)).toMatchObject({ status: "succeeded", attempt: 2, error: null });
    expect(await jobOf(db, runId)).toMatchObject({ status: "succeeded", attempts: 2, lockedBy: null });
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Forecast" WHERE "runId" = ?`, runId)).toBe(1);
    const forecastId = (await db.get<{ id: number }>(`SELECT "id" FROM "Forecast" WHERE "runId" = ?`, [runId]))!.id;
    expect(await db.get(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?`, [seriesId])).toEqual({ currentForecastId: forecastId });
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "ForecastPoint" WHERE "forecastId" = ?`, forecastId)).toBe(5);
    // The dead attempt's epochs are still stored, but the run's curve is attempt 2 alone: 1..30 once each.
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Epoch" WHERE "runId" = ? AND "attempt" = 1`, runId)).toBe(deadEpochs);
    const run = await apiRun(runId);
    expect(run.epochs!.map((e) => e.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(run.epochs!.every((e) => e.ms === 10)).toBe(true); // the second worker's epochs, not the first's (100 ms)
    expect(run.progress).toMatchObject({ epochsDone: 30, epochsTotal: 30, percent: 100 });
  });

  it("a training that throws is retried with exponential backoff, then fails with its error visible through the API", async () => {
    const { db, dir, seriesId } = await setup();
    const log = path.join(dir, "engine.log");
    const runId = await queue(seriesId, { epochs: 5, learningRate: 0.125 });
    await worker({ FAKE_ENGINE_LOG: log, TIDECAST_RETRY_BASE_MS: "400" });
    await waitFor(async () => (await runRow(db, runId)).status === "failed", 30_000, "the run to fail");

    const run = await apiRun(runId);
    expect(run.status).toBe("failed");
    expect(run.error).toContain("Simulated crash in the training thread");
    expect(run.job).toMatchObject({ status: "failed", attempts: 3, maxAttempts: 3 });
    expect(run.job!.lastError).toContain("Simulated crash in the training thread");
    expect(run.finishedAt).not.toBeNull();
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Forecast" WHERE "runId" = ?`, runId)).toBe(0);
    // Three attempts; each retry waited at least the backoff (400 ms, then 800 ms) after the throw.
    const events = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => {
      const [t, what] = l.split(" ");
      return { t: Number(t), what };
    });
    expect(events.map((e) => e.what)).toEqual(["start", "throw", "start", "throw", "start", "throw"]);
    expect(events[2].t - events[1].t).toBeGreaterThanOrEqual(400);
    expect(events[4].t - events[3].t).toBeGreaterThanOrEqual(800);
  });

  it("a diverging training (NaN loss) fails for good with a clear message and stores nothing NaN", async () => {
    const { db, seriesId } = await setup();
    const nanLoss = await queue(seriesId, { epochs: 20, learningRate: 0.5 });
    const nanForecast = await queue(seriesId, { epochs: 4, learningRate: 0.25 });
    const engineError = await queue(seriesId, { epochs: 4, learningRate: 0.0625 });
    await worker();
    const allFailed = async () => {
      for (const id of [nanLoss, nanForecast, engineError]) if ((await runRow(db, id)).status !== "failed") return false;
      return true;
    };
    await waitFor(allFailed, 30_000, "three failed runs");

    const diverged = await apiRun(nanLoss);
    expect(diverged.error).toMatch(/^Training diverged: the training loss became NaN at epoch 3\. Nothing was saved\./);
    expect(diverged.job).toMatchObject({ status: "failed", attempts: 1 }); // not retried: it would diverge again
    expect(diverged.epochs!.map((e) => e.epoch)).toEqual([1, 2]);
    expect((await apiRun(nanForecast)).error).toMatch(/non-finite forecast value \(NaN\) at step 2/);
    expect((await apiRun(engineError)).error).toBe("The series is too short for this lookback (simulated).");
    for (const id of [nanLoss, nanForecast, engineError]) {
      expect(await runRow(db, id)).toMatchObject({ metrics: null, model: null });
      expect((await jobOf(db, id)).attempts).toBe(1);
    }
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Forecast"`)).toBe(0);
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "ForecastPoint"`)).toBe(0);
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Epoch" WHERE "trainLoss" IS NULL OR "trainLoss" != "trainLoss" OR "valLoss" != "valLoss"`)).toBe(0);
  });

  it("cancel stops a running training within seconds and cancels a queued one at once", async () => {
    const { db, seriesId } = await setup();
    const running = await queue(seriesId, { epochs: 400, learningRate: 0.001 });
    const waiting = await queue(seriesId, { epochs: 400, learningRate: 0.002 });
    await worker({ FAKE_EPOCH_MS: "50" });
    await waitFor(async () => (await runRow(db, running)).epochsDone >= 3, 20_000, "training to start");

    const queued = await apiCancel(waiting);
    expect(queued.status).toBe(200);
    expect(queued.run.status).toBe("cancelled");
    const stopping = await apiCancel(running);
    expect(stopping.status).toBe(202);
    expect(stopping.run).toMatchObject({ status: "running", cancelRequested: true });
    await waitFor(async () => (await runRow(db, running)).status === "cancelled", 10_000, "the running run to stop");
    expect((await runRow(db, running)).epochsDone).toBeLessThan(400);
    expect(await jobOf(db, running)).toMatchObject({ status: "cancelled", lockedBy: null });
    expect(await jobOf(db, waiting)).toMatchObject({ status: "cancelled", attempts: 0 });
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Forecast"`)).toBe(0);
    expect((await apiCancel(running)).status).toBe(200); // cancelling again is harmless
  });

  it("SIGTERM lets the epoch finish, puts the job back, exits 0; the next worker completes the run", async () => {
    const { db, seriesId } = await setup();
    const runId = await queue(seriesId, { epochs: 200 });
    const a = await worker({ FAKE_EPOCH_MS: "50" });
    await waitFor(async () => (await runRow(db, runId)).epochsDone >= 3, 20_000, "training to start");
    a.kill("SIGTERM");
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(a.output()).toContain("put back in the queue (shutdown)");
    expect((await runRow(db, runId)).status).toBe("queued");
    expect(await jobOf(db, runId)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });

    await worker({ FAKE_EPOCH_MS: "1" });
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 30_000, "the run to succeed");
    expect((await runRow(db, runId)).attempt).toBe(2);
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Forecast" WHERE "runId" = ?`, runId)).toBe(1);
    expect((await apiRun(runId)).epochs).toHaveLength(200);
  });
});
