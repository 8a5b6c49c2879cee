import { beforeEach, describe, expect, it } from "vitest";
import { count, databasePerTest, seedSeries } from "../helpers/database";
import { ctx } from "./helpers/api";
import type { Json } from "../unit/api/helpers";
import { GET as listSeriesRuns, POST as startRun } from "@/app/api/series/[id]/runs/route";
import { GET as listAllRuns } from "@/app/api/runs/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as cancelRoute } from "@/app/api/runs/[id]/cancel/route";
import { GET as forecastRoute } from "@/app/api/runs/[id]/forecast/route";
import { POST as makeCurrentRoute } from "@/app/api/runs/[id]/make-current/route";
import { recordEpoch, startRunAttempt } from "@/lib/runs/lifecycle";
import { writeRunResult } from "@/lib/runs/result";
import { claimJob } from "@/lib/queue/claim";
import { finishJob } from "@/lib/queue/finish";
import { leaseOf } from "@/lib/queue/types";
import type { EngineOutcome } from "@/lib/runs/engine";
import type { RunView } from "@/lib/runs/views";

const t = databasePerTest();
let seriesId: number;
beforeEach(async () => {
  seriesId = await seedSeries(t.db);
});

const post = (id: number | string, body: string) =>
  startRun(new Request(`http://localhost/api/series/${id}/runs`, { method: "POST", body }), ctx(id));
const json = async (res: Response) => (await res.json()) as Json;
const getRun = async (id: number) => (await json(await getRunRoute(new Request(`http://localhost/api/runs/${id}`), ctx(id)))).run as RunView;

function outcome(value: number): EngineOutcome {
  return {
    config: { model: "gru", strategy: "recursive", lookback: 7, horizon: 3, hiddenSize: 4, layers: 1, epochs: 3, learningRate: 0.01, batchSize: 8, seed: 1 },
    chosen: { model: "gru", strategy: "recursive", lookback: 7, members: 1, bestEpoch: 2, epochsRun: 3 },
    timestamps: [1, 2, 3].map((k) => Date.UTC(2024, 3, k)),
    forecast: [value, value + 1, value + 2],
    intervals: [
      { level: 80, lo: [0, 0, 0], hi: [9, 9, 9] },
      { level: 95, lo: [-1, -1, -1], hi: [10, 10, 10] },
    ],
    holdout: {},
    metrics: { model: { mae: 1, mase: Number.NaN } },
    modelBlob: new Uint8Array([7, 7]),
  };
}

/** Trains a queued run "by hand": claim, start, three epochs, result and job finish in one transaction. */
async function complete(runId: number, value: number): Promise<void> {
  const db = t.db;
  const lease = leaseOf((await claimJob(db, "w", ["train"], 10_000))!);
  const run = (await startRunAttempt(db, runId))!;
  for (let e = 1; e <= 3; e++) await recordEpoch(db, runId, run.attempt, { member: 1, members: 1, epoch: e, epochs: 3, trainLoss: 1 / e, valLoss: null, ms: 10 });
  await db.transaction(async (tx) => {
    expect(await finishJob(tx, lease)).toBe(true);
    await writeRunResult(tx, runId, run.attempt, outcome(value));
  });
}

describe("POST /api/series/{id}/runs", () => {
  it("answers 202 with the queued run, and 200 with it again for an identical config", async () => {
    const res = await post(seriesId, JSON.stringify({ model: "gru", epochs: 5 }));
    expect(res.status).toBe(202);
    const { run, created } = await json(res);
    expect(created).toBe(true);
    expect(run).toMatchObject({ seriesId, status: "queued", attempt: 0, config: { model: "gru", epochs: 5, horizon: 14 }, job: { status: "queued", attempts: 0, maxAttempts: 3 } });
    // The defaults are filled in, so spelling one out gives the same config and the same run.
    const again = await post(seriesId, JSON.stringify({ epochs: 5, model: "gru", horizon: 14 }));
    expect(again.status).toBe(200);
    expect((await json(again)).run.id).toBe(run.id);
    const other = await post(seriesId, JSON.stringify({ model: "gru", epochs: 6 }));
    expect(other.status).toBe(202);
    expect((await json(other)).run.id).not.toBe(run.id);
    const empty = await post(seriesId, "");
    expect(empty.status).toBe(202);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job" WHERE "kind" = 'train'`)).toBe(3);
  });

  it.each([
    [`{"epochs": 0}`, "epochs", /Epochs must be at least 1/],
    [`{"learningRate": 2}`, "learningRate", /at most 1/],
    [`{"model": "transformer"}`, "model", /.+/],
    [`{"epochs": 10, "dropout": 0.1}`, "dropout", /Unknown field "dropout"/],
    [`{"hiddenSize": 3.5}`, "hiddenSize", /.+/],
  ])("answers 400 naming the bad field for %s", async (body, field, message) => {
    const res = await post(seriesId, body);
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toMatch(message);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run"`)).toBe(0);
  });

  it("answers 400 for a body that is not a JSON object, 404 for an unknown series, 400 for a bad id", async () => {
    expect((await json(await post(seriesId, "{nope"))).error.code).toBe("INVALID_JSON");
    expect((await post(seriesId, "[1]")).status).toBe(400);
    const missing = await post(999, "{}");
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe("NOT_FOUND");
    expect((await post("abc", "{}")).status).toBe(400);
  });
});

describe("reading runs", () => {
  it("shows progress (epoch k of n, ETA) and the current attempt's epochs while training", async () => {
    const { run } = await json(await post(seriesId, JSON.stringify({ epochs: 10 })));
    const db = t.db;
    await claimJob(db, "w", ["train"], 10_000);
    const first = (await startRunAttempt(db, run.id))!;
    await recordEpoch(db, run.id, first.attempt, { member: 1, members: 1, epoch: 1, epochs: 10, trainLoss: 9, valLoss: 9, ms: 500 });
    const second = (await startRunAttempt(db, run.id))!; // the first attempt's worker died; a new attempt starts
    expect(second.attempt).toBe(2);
    for (let e = 1; e <= 4; e++) {
      expect(await recordEpoch(db, run.id, second.attempt, { member: 1, members: 1, epoch: e, epochs: 10, trainLoss: 1 / e, valLoss: 2 / e, ms: 100 })).toBe(true);
    }
    // The dead attempt can no longer write.
    expect(await recordEpoch(db, run.id, first.attempt, { member: 1, members: 1, epoch: 2, epochs: 10, trainLoss: 1, valLoss: 1, ms: 1 })).toBe(false);
    const view = await getRun(run.id);
    expect(view.status).toBe("running");
    expect(view.progress).toMatchObject({ epochsDone: 4, epochsTotal: 10, epoch: 4, epochs: 10, member: 1, members: 1, percent: 40, etaMs: 600 });
    expect(view.epochs!.map((e) => [e.epoch, e.trainLoss])).toEqual([[1, 1], [2, 0.5], [3, 1 / 3], [4, 0.25]]);
    const list = await json(await listSeriesRuns(new Request(`http://localhost/api/series/${seriesId}/runs`), ctx(seriesId)));
    expect(list.runs.map((r: RunView) => r.id)).toEqual([run.id]);
    expect(list.runs[0]).not.toHaveProperty("epochs");
    const running = await json(await listAllRuns(new Request("http://localhost/api/runs?status=running")));
    expect(running.runs).toHaveLength(1);
    expect((await listAllRuns(new Request("http://localhost/api/runs?status=bogus"))).status).toBe(400);
    expect((await getRunRoute(new Request("http://localhost/api/runs/77"), ctx(77))).status).toBe(404);
  });

  it("keeps earlier forecasts, points the series at the newest, and make-current switches back", async () => {
    const a = (await json(await post(seriesId, JSON.stringify({ epochs: 3, seed: 1 })))).run.id as number;
    expect((await forecastRoute(new Request("http://x"), ctx(a))).status).toBe(404);
    await complete(a, 10);
    const b = (await json(await post(seriesId, JSON.stringify({ epochs: 3, seed: 2 })))).run.id as number;
    expect((await makeCurrentRoute(new Request("http://x", { method: "POST" }), ctx(b))).status).toBe(409);
    await complete(b, 20);
    const fa = (await json(await forecastRoute(new Request("http://x"), ctx(a)))).forecast;
    const fb = (await json(await forecastRoute(new Request("http://x"), ctx(b)))).forecast;
    expect(fa).toMatchObject({ runId: a, isCurrent: false, horizon: 3, levels: [80, 95], model: "gru" });
    expect(fb.isCurrent).toBe(true);
    expect(fb.points[0]).toEqual({ step: 1, ts: Date.UTC(2024, 3, 1), value: 20, lo80: 0, hi80: 9, lo95: -1, hi95: 10 });
    const view = await getRun(b);
    expect(view).toMatchObject({ status: "succeeded", isCurrent: true, bestEpoch: 2, error: null, progress: { percent: 100, etaMs: 0 } });
    expect(view.metrics).toMatchObject({ model: { mae: 1, mase: null }, chosen: { model: "gru" } }); // NaN stored as null
    const res = await makeCurrentRoute(new Request("http://x", { method: "POST" }), ctx(a));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ seriesId, currentForecastId: fa.id, run: { id: a, isCurrent: true } });
    expect(await t.db.get(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?`, [seriesId])).toEqual({ currentForecastId: fa.id });
    expect((await getRun(b)).isCurrent).toBe(false);
  });
});

describe("POST /api/runs/{id}/cancel", () => {
  it("cancels a queued run at once, asks a running one to stop, refuses a finished one", async () => {
    const cancel = (id: number) => cancelRoute(new Request("http://x", { method: "POST" }), ctx(id));
    const queued = (await json(await post(seriesId, JSON.stringify({ epochs: 3, seed: 1 })))).run.id as number;
    const res = await cancel(queued);
    expect(res.status).toBe(200);
    expect((await json(res)).run).toMatchObject({ status: "cancelled", job: { status: "cancelled" } });
    expect(await claimJob(t.db, "w", ["train"], 10_000)).toBeNull();
    // A cancelled run is not "identical and in flight": the same config queues a new run.
    const again = await post(seriesId, JSON.stringify({ epochs: 3, seed: 1 }));
    expect(again.status).toBe(202);
    const running = (await json(again)).run.id as number;
    await claimJob(t.db, "w", ["train"], 10_000);
    await startRunAttempt(t.db, running);
    const stopping = await cancel(running);
    expect(stopping.status).toBe(202);
    expect((await json(stopping)).run).toMatchObject({ status: "running", cancelRequested: true });
    // While it stops, an identical request queues a fresh run rather than returning the dying one.
    expect((await post(seriesId, JSON.stringify({ epochs: 3, seed: 1 }))).status).toBe(202);

    const done = (await json(await post(seriesId, JSON.stringify({ epochs: 3, seed: 9 })))).run.id as number;
    await t.db.run(`UPDATE "Job" SET "runAt" = ? WHERE "id" = (SELECT "jobId" FROM "Run" WHERE "id" = ?)`, [new Date("2000-01-01T00:00:00Z"), done]);
    await complete(done, 1);
    const refused = await cancel(done);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe("RUN_FINISHED");
    expect((await cancel(4242)).status).toBe(404);
  });
});
