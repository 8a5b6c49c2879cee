import { beforeEach, describe, expect, it } from "vitest";
import { count, databasePerTest } from "../helpers/database";
import { ctx } from "./helpers/api";
import { co2Rows, upload, type Row } from "./helpers/co2";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { GET as listRunsRoute } from "@/app/api/series/[id]/runs/route";
import { POST as makeCurrentRoute } from "@/app/api/runs/[id]/make-current/route";
import { fitForecast, loadModel, predictFromModel, type SeriesInput } from "@/lib/forecast";
import type { Db } from "@/lib/db/types";
import { readPoints } from "@/lib/datasets/points";
import { claimJob } from "@/lib/queue/claim";
import { finishJob } from "@/lib/queue/finish";
import { leaseOf } from "@/lib/queue/types";
import { requestRun } from "@/lib/runs/request";
import { startRunAttempt } from "@/lib/runs/lifecycle";
import { writeRunResult } from "@/lib/runs/result";
import type { EngineOutcome } from "@/lib/runs/engine";
import type { RunView } from "@/lib/runs/views";
import { createSchedule } from "@/lib/schedules/store";
import { evaluateChallenger } from "@/lib/promotion/evaluate";
import { settlePromotion } from "@/lib/promotion/settle";

/**
 * Retrains that must earn the place, on a real database with a real champion (a model trained by
 * the real engine on the first part of a real series): challengers whose backtest on the window
 * is worse or better by construction, through the same evaluate-then-settle steps the worker's
 * train task takes; the champion's score on the window is recomputed here by hand.
 */
const t = databasePerTest();
const rows = co2Rows();
const split = rows.findIndex(([ts]) => ts >= Date.UTC(2019, 0, 1));
const first = rows.slice(0, split);
const CONFIG = { model: "gru", epochs: 3, hiddenSize: 4, horizon: 12, lookback: 12 } as const;

let seriesId: number;
let championRunId: number;
let championOutcome: EngineOutcome;

async function seriesInput(db: Db): Promise<SeriesInput> {
  const { timestamps, values } = await readPoints(db, seriesId);
  return { name: "co2", frequency: "monthly", stepMs: null, timestamps, values };
}

/** What the worker's train task does once the engine returned `outcome`: evaluate, then store and decide in one transaction. */
async function complete(db: Db, runId: number, outcome: EngineOutcome): Promise<void> {
  const lease = leaseOf((await claimJob(db, "test", ["train"], 60_000))!);
  const run = (await startRunAttempt(db, runId))!;
  const series = await seriesInput(db);
  const evaluation = await evaluateChallenger(db, seriesId, outcome, series);
  await db.transaction(async (tx) => {
    expect(await finishJob(tx, lease)).toBe(true);
    const forecastId = await writeRunResult(tx, runId, run.attempt, outcome, { makeCurrent: false });
    await settlePromotion(tx, { runId, seriesId, forecastId, mode: run.promote, requestedByHand: run.scheduleId === null, evaluation, outcome, series });
  });
}

const getRun = async (id: number) => ((await (await getRunRoute(new Request("http://localhost"), ctx(id))).json()) as { run: RunView }).run;
const currentForecast = async (db: Db) => (await db.get<{ id: number | null }>(`SELECT "currentForecastId" AS "id" FROM "Series" WHERE "id" = ?`, [seriesId]))!.id;
const forecastOfRun = async (db: Db, runId: number) => (await db.get<{ id: number }>(`SELECT "id" FROM "Forecast" WHERE "runId" = ?`, [runId]))!.id;

/** A challenger's outcome whose backtest of the newest `hold` points is the actual values plus `offset`. */
function challenger(heldRows: Row[], offset: number): EngineOutcome {
  return {
    ...championOutcome,
    holdout: { timestamps: heldRows.map(([ts]) => ts), actual: heldRows.map(([, v]) => v), model: heldRows.map(([, v]) => v + offset), intervals: [], baselines: {} },
  };
}

async function scheduledRun(db: Db, promote: "always" | "if-better", seed: number): Promise<number> {
  const schedule = (await createSchedule(db, seriesId, { onNewData: true, config: CONFIG, promote }))!;
  const r = await requestRun(db, seriesId, { ...CONFIG, seed }, { scheduleId: schedule.id, promote });
  if (r.kind !== "created") throw new Error("no run");
  return r.run.id;
}

/**
 * The champion's MASE on the window by hand: its model replayed from the origin of the
 * challenger's held-out points, its error on the window's dates over the seasonal-naive MAE of
 * the history before that origin.
 */
function championScoreByHand(blob: Uint8Array, heldFrom: number, window: Row[]): number {
  const past = rows.filter(([ts]) => ts < heldFrom);
  const h = past.map(([, v]) => v);
  let s = 0;
  for (let i = 12; i < h.length; i++) s += Math.abs(h[i] - h[i - 12]);
  const scale = s / (h.length - 12);
  const replay = predictFromModel(loadModel(blob), {
    name: "co2",
    frequency: "monthly",
    stepMs: null,
    timestamps: Float64Array.from(past.map(([ts]) => ts)),
    values: Float64Array.from(h),
  });
  let e = 0;
  for (const [ts, v] of window) e += Math.abs(v - replay.forecast[replay.timestamps.indexOf(ts)]);
  return e / window.length / scale;
}

beforeEach(async () => {
  const up = await upload(first, "co2", "co2", "new");
  seriesId = up.series[0].id;
  const series = await seriesInput(t.db);
  championOutcome = fitForecast(series, CONFIG, 3, { levels: [80, 95] }) as unknown as EngineOutcome;
  const r = await requestRun(t.db, seriesId, CONFIG);
  championRunId = r.kind === "created" ? r.run.id : 0;
  await complete(t.db, championRunId, championOutcome);
  // Eight months the champion never saw.
  await upload(rows.slice(0, split + 8));
});

describe("promotion of a retrain's forecast", () => {
  it("keeps a challenger that is worse on the window, with both scores and the reason in the run's JSON and the runs list", async () => {
    expect((await getRun(championRunId)).promotion).toMatchObject({ decision: "promoted", champion: null, challenger: { runId: championRunId } });
    const before = await currentForecast(t.db);
    const id = await scheduledRun(t.db, "if-better", 5);
    const held = rows.slice(split - 4, split + 8); // the 12 newest points: 4 the champion saw, 8 it did not
    await complete(t.db, id, challenger(held, 1000));

    const run = await getRun(id);
    const window = rows.slice(split, split + 8);
    const champ = championScoreByHand(new Uint8Array(championOutcome.modelBlob), held[0][0], window);
    const h = rows.filter(([ts]) => ts < held[0][0]).map(([, v]) => v);
    let s = 0;
    for (let i = 12; i < h.length; i++) s += Math.abs(h[i] - h[i - 12]);
    const chall = 1000 / (s / (h.length - 12)); // an error of 1000 ppm at every date, over the scale
    expect(run.promotion).toEqual({
      decision: chall < champ ? "promoted" : "kept",
      metric: "mase",
      challenger: { runId: id, score: expect.closeTo(chall, 9) },
      champion: { runId: championRunId, score: expect.closeTo(champ, 9) },
      reason: expect.stringMatching(/^Did not beat the current model: run #\d+ MASE [\d.]+ vs run #\d+ [\d.]+ on the 8 newest held-out points\.$/),
      window: { from: window[0][0], to: window[7][0], points: 8 },
      at: expect.any(String),
    });
    expect(chall).toBeGreaterThan(champ); // by construction: 1000 ppm off is worse than any fitted model
    expect(run.isCurrent).toBe(false);
    expect(await currentForecast(t.db)).toBe(before);
    const list = (await (await listRunsRoute(new Request("http://localhost"), ctx(seriesId))).json()) as { runs: RunView[] };
    expect(list.runs.find((r) => r.id === id)!.promotion).toEqual(run.promotion);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Event" WHERE "kind" = 'forecast.kept'`)).toBe(1);

    // "Make current" by hand still works, recorded as a manual decision.
    const res = await makeCurrentRoute(new Request("http://localhost", { method: "POST" }), ctx(id));
    expect(res.status).toBe(200);
    const manual = await getRun(id);
    expect(manual.isCurrent).toBe(true);
    expect(manual.promotion).toMatchObject({ decision: "manual", champion: { runId: championRunId }, reason: `Made current by hand (replacing run #${championRunId}).` });
    expect(await currentForecast(t.db)).toBe(await forecastOfRun(t.db, id));
  });

  it("promotes a challenger that beats the current model on the window", async () => {
    const id = await scheduledRun(t.db, "if-better", 6);
    await complete(t.db, id, challenger(rows.slice(split - 4, split + 8), 0)); // a perfect backtest
    const run = await getRun(id);
    expect(run.promotion).toMatchObject({ decision: "promoted", metric: "mase", challenger: { runId: id, score: 0 }, champion: { runId: championRunId } });
    expect(run.promotion!.champion!.score!).toBeGreaterThan(0);
    expect(run.promotion!.reason).toMatch(/^Beat the current model/);
    expect(run.isCurrent).toBe(true);
    expect(await currentForecast(t.db)).toBe(await forecastOfRun(t.db, id));
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Event" WHERE "kind" = 'forecast.promoted'`)).toBe(2);
  });

  it("a schedule with promote: always promotes a worse challenger, and says so with both scores", async () => {
    const id = await scheduledRun(t.db, "always", 7);
    await complete(t.db, id, challenger(rows.slice(split - 4, split + 8), 1000));
    const run = await getRun(id);
    expect(run.promotion).toMatchObject({ decision: "promoted", metric: "mase", champion: { runId: championRunId } });
    expect(run.promotion!.reason).toMatch(/^Promoted without a contest \(its schedule says promote: "always"\); run #\d+ MASE/);
    expect(run.isCurrent).toBe(true);
  });

  it("a run requested by hand is promoted whatever its score (and still scored)", async () => {
    const r = await requestRun(t.db, seriesId, { ...CONFIG, seed: 8 });
    const id = r.kind === "created" ? r.run.id : 0;
    expect((await getRun(id)).promote).toBe("always");
    await complete(t.db, id, challenger(rows.slice(split - 4, split + 8), 1000));
    const run = await getRun(id);
    expect(run.promotion).toMatchObject({ decision: "promoted", champion: { runId: championRunId } });
    expect(run.promotion!.challenger.score).not.toBeNull();
    expect(run.promotion!.reason).toMatch(/a run requested by hand becomes current/);
  });

  it("keeps a challenger when no held-out point is new to the current model (no fair comparison)", async () => {
    const id = await scheduledRun(t.db, "if-better", 9);
    await complete(t.db, id, challenger(rows.slice(split - 12, split), 0)); // all 12 were in the champion's training data
    const run = await getRun(id);
    expect(run.promotion).toMatchObject({ decision: "kept", metric: null, challenger: { runId: id, score: null }, champion: { runId: championRunId, score: null }, window: null });
    expect(run.promotion!.reason).toMatch(/no held-out point is new to the current model/);
    expect(run.isCurrent).toBe(false);
  });

  it("promotes over a current model that is invalid (its model file cannot be read)", async () => {
    await t.db.run(`UPDATE "Run" SET "model" = ? WHERE "id" = ?`, [new Uint8Array([1, 2, 3]), championRunId]);
    const id = await scheduledRun(t.db, "if-better", 10);
    await complete(t.db, id, challenger(rows.slice(split - 4, split + 8), 1000));
    const run = await getRun(id);
    expect(run.promotion).toMatchObject({ decision: "promoted", champion: { runId: championRunId, score: null } });
    expect(run.promotion!.reason).toMatch(new RegExp(`^The current model \\(run #${championRunId}\\) is invalid: its model file cannot be read`));
    expect(run.isCurrent).toBe(true);
  });
});
